/**
 * A real OpenID Connect provider on 127.0.0.1 for latch's integration tests,
 * browser tests and demo, plus a browserless way to sign in through it.
 */
export { startLocalIdP } from "./start-local-idp.js";
export type { LocalIdP, LocalIdPClient, LocalIdPOptions, LocalIdPTtl } from "./start-local-idp.js";
export type { AccountOverrides } from "./accounts.js";
export { accountClaims } from "./accounts.js";
export { loginThroughIdP } from "./login-through-idp.js";
