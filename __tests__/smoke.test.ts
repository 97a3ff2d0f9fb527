import { run } from '../src/main.js'
test('runs', async () => { await run(); expect(1).toBe(1) })
