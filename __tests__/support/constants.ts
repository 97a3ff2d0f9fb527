// Ids, names and tokens shared by the tests, defined once. Tokens are random-looking, like real
// ones: the leak check counts any 16-character piece of a secret, so a token must share no such
// piece with ids, names or URLs that runs show (as `0123456789abcdef` would with ACCOUNT_ID).
export const ACCOUNT_ID = '0123456789abcdef0123456789abcdef'
export const ZONE_ID = 'fedcba9876543210fedcba9876543210'
export const TOKEN = 'cfW7-rT2qLx9VbN4mZk8sHd3JpY6wQe1uGa5'
export const READ_TOKEN = 'cfR3-nK8vXc2TsP7dLq5jWb9HmZ4yFe6rUg1'
export const GITHUB_TOKEN = 'ghs_Qm7Rz2Kx9Lw4Vt8Np3Hs6Jd1Fb5Yc0GaUe'
export const GITHUB_READ_TOKEN = 'ghs_Wn4Tj8Pd2Zr6Lm1Xq9Vh5Cs3Kb7Ye0FgAo'
export const TEAM = 'acme'
export const CALLBACK = `https://${TEAM}.cloudflareaccess.com/cdn-cgi/access/callback`
/** The repository the runner's environment names (`acme/infra`). */
export const TEST_OWNER = 'acme'
export const REPO = 'infra'
export const TEST_REPOSITORY = `${TEST_OWNER}/${REPO}`
/** The commit every run is "on" (GITHUB_SHA, and `after` of the default push payload). */
export const TEST_SHA = '3f786850e387550fdab836ed7e6dc881de23001b'
/** The user pool of the unit-test builders (the end-to-end world seeds its own). */
export const POOL_ID = 'eu-west-1_AbC123xyZ'
/** Workflow commands a hostile text may carry (what a stop token looks like: anything may follow it). */
export const INJECTIONS = '\n::stop-commands::pwned\n::error title=Forged::forged annotation\n##[warning]forged legacy\n::pwned::'
