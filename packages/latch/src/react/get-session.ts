import type { Session } from "../types.js";
import { clientBasePath } from "./auth-url.js";
import { expiryCheckAt } from "./expiry.js";
import { announce, senderId } from "./session-channel.js";
import { sessionKey } from "./session-key.js";
import { requestSession } from "./session-request.js";
import type { GetSessionOptions } from "./types.js";

/**
 * The current session from `GET {basePath}/session` (which also extends it), or `null` when
 * signed out or when the server cannot be reached. Providers holding another session (or none)
 * refetch, as in next-auth; the others are told the new expiry, so they do not check it early
 * (`broadcast: false` tells nobody). In
 * components, prefer `useSession()`; on the server, `auth()`.
 *
 * @example
 * ```ts
 * const session = await getSession();
 * if (session) console.log(session.user?.email);
 * ```
 */
export async function getSession(options: GetSessionOptions = {}): Promise<Session | null> {
  const basePath = clientBasePath(options.basePath);
  const answer = await requestSession(basePath);
  if (!answer.ok) return null;
  if (options.broadcast === false) return answer.session;
  const from = senderId();
  // Providers that already hold this session skip it; the others (signed out or revoked meanwhile, another user) refetch.
  void announce(basePath, { kind: "changed", from, key: sessionKey(answer.session) });
  const checkAt = answer.session ? expiryCheckAt(answer.session.expires, answer.serverOffset) : undefined;
  if (checkAt !== undefined) void announce(basePath, { kind: "renewed", from, checkAt });
  return answer.session;
}
