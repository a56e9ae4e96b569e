import type { Session } from "../types.js";

/**
 * A short fingerprint of a session without its `expires` (which moves on every read), so tabs
 * can tell whether they hold the same session without sending it to each other, and without
 * writing user data to `localStorage` in the fallback. FNV-1a over two seeds: an equality
 * check, not a secret.
 *
 * @example
 * ```ts
 * sessionKey(a) === sessionKey(b); // same user, same data
 * ```
 */
export function sessionKey(session: Session | null): string {
  if (session === null) return "none";
  const { expires: _expires, ...rest } = session;
  const text = JSON.stringify(rest);
  return `${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x01000193)}`;
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
