import { driftTitle } from '../../src/report/drift-issue.js'
import { clearSecretsForTest, registerSecret } from '../../src/secrets.js'

afterEach(() => clearSecretsForTest())

test('the title names the instance’s identity provider', () => {
  expect(driftTitle('Amazon Cognito')).toBe('Drift: Cognito → Cloudflare Access “Amazon Cognito”')
})

test('a long name is cut to GitHub’s 256 characters (counted as GitHub counts them), keeping the closing quote', () => {
  const title = driftTitle('é'.repeat(200) + '😀'.repeat(100))
  expect([...title]).toHaveLength(256)
  expect(title.endsWith('…”')).toBe(true)
})

test('a secret in the name is redacted from the title', () => {
  const secret = 'Zt5Mw1Qk8Xr3Lp7Jd2Vn6Hb9'
  registerSecret(secret)
  expect(driftTitle(`Login ${secret}`)).toBe('Drift: Cognito → Cloudflare Access “Login ***”')
})
