/**
 * `latch/jwt`: encode, decode and read session tokens — the same API and the same token format
 * as `next-auth/jwt`, so a migration keeps every user signed in. `JWT` is `latch`'s own interface:
 * extend it in `declare module "latch"`, or here as with `next-auth/jwt` — in one of the two only.
 *
 * @example
 * ```ts
 * import { getToken } from "latch/jwt";
 * export async function GET(req: Request) {
 *   const token = await getToken({ req });
 *   return Response.json({ signedIn: token !== null });
 * }
 * ```
 */
export type { DefaultJWT, JWT, JWTDecodeParams, JWTEncodeParams } from "./types.js";
export { createSessionCodec, decode, encode, type SessionCodec } from "./core/session/codec.js";
export { getToken, type GetTokenParams } from "./core/session/get-token.js";
