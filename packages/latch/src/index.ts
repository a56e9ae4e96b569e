/**
 * latch: authentication for Next.js, compatible with Auth.js v5.
 *
 * `Auth(request, config)` is the framework-free engine; most apps use `NextAuth` from `latch/next`.
 */
import { getResolvedConfig } from "./core/config.js";
import { handleToResponse } from "./core/handle-request.js";
import type { AuthConfig } from "./types.js";

export type * from "./types.js";
export { AuthError, CredentialsSignin, EmailSignInError, RateLimited } from "./errors.js";
export type { ErrorType, ErrorKind } from "./errors.js";
export { redact } from "./core/redact.js";

/**
 * Handles a request to one of latch's routes (`/api/auth/*` by default) and returns the response.
 *
 * @example
 * ```ts
 * import { Auth } from "latch";
 * import GitHub from "latch/providers/github";
 * const config = { providers: [GitHub] }; // once, at module scope: rate limits live with it
 * export const GET = (request: Request) => Auth(request, config);
 * ```
 */
export async function Auth(request: Request, config: AuthConfig): Promise<Response> {
  return handleToResponse(request, getResolvedConfig(config));
}
