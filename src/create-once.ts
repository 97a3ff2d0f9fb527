// Creating something is the one write that is not safe to repeat: when a create times out or its
// answer is lost, the thing may exist anyway, and a blind retry makes a duplicate (Cognito client
// names and Cloudflare identity provider names are not unique). So after a failed create we look
// again, adopt what the create made, and only create again when nothing is there.
import { describeError } from './errors.js'

export interface CreateOnce<T> {
  /** What is created, for the log: "Cognito app client 'Cloudflare Access'". */
  what: string
  create: () => Promise<T>
  /** Looks for what an earlier attempt may have created; undefined when there is none. */
  findCreated: () => Promise<T | undefined>
  /** Whether the failure may have been transient (throttling, 5xx, dropped connection, timeout). */
  isTransient: (error: unknown) => boolean
  attempts?: number
  delayMs?: (attempt: number) => number
  log: (message: string) => void
}

export async function createOnce<T>(options: CreateOnce<T>): Promise<T> {
  const attempts = options.attempts ?? 4
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.create()
    } catch (error) {
      if (!options.isTransient(error)) throw error
      options.log(`Creating ${options.what} failed (${describeError(error)}); looking for it before trying again.`)
      const created = await options.findCreated()
      if (created !== undefined) {
        options.log(`${options.what} was created after all; adopting it.`)
        return created
      }
      if (attempt >= attempts) throw error
      await new Promise(resolve => setTimeout(resolve, options.delayMs?.(attempt) ?? 1000 * attempt))
    }
  }
}
