import type { Session } from "../types.js";
import { resolveBasePath } from "./auth-url.js";
import { expiryCheckAt } from "./expiry.js";
import { announce, senderId } from "./session-channel.js";
import { requestSession } from "./session-request.js";
import type { ClientOptions } from "./types.js";

/**
 * The current session from `GET {basePath}/session` (which also extends it), or `null` when
 * signed out or when the server cannot be reached. Providers are told the new expiry, so they
 * do not check it early. In components, prefer `useSession()`; on the server, `auth()`.
 *
 * @example
 * ```ts
 * const session = await getSession();
 * if (session) console.log(session.user?.email);
 * ```
 */
export async function getSession(options: ClientOptions = {}): Promise<Session | null> {
  const basePath = resolveBasePath(options.basePath);
  const answer = await requestSession(basePath);
  if (!answer.ok) return null;
  const checkAt = answer.session ? expiryCheckAt(answer.session.expires, answer.serverOffset) : undefined;
  if (checkAt !== undefined) announce(basePath, { kind: "renewed", from: senderId(), checkAt });
  return answer.session;
}
