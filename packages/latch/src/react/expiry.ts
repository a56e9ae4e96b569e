/**
 * When a provider asks the server whether its session has expired. GET /session slides the
 * session's expiry, so asking before the session expired would keep an idle session alive
 * forever; every check is therefore scheduled after the expiry on both clocks that matter: the
 * browser's (which drops the cookie at its `Expires`) and the server's (estimated from `Date`).
 */

/** How long after the expiry the check runs: the cookie's `Expires` has one-second resolution. */
export const EXPIRY_MARGIN_MS = 500;
/** The longest delay `setTimeout` honours (2^31 − 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The shortest gap between a fetch and the next expiry check, against a server that answers a session already expired. */
export const MIN_CHECK_GAP_MS = 1_000;
const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 60_000;
/** The longest wait between checks while the server keeps answering a session already expired. */
const LAST_EXPIRED_CHECK_MS = 5 * 60_000;

/**
 * A lower bound of (server clock − browser clock) in ms, from a response's `Date` header and
 * when the response arrived; `undefined` without a usable header. `Date` is truncated to the
 * second and was written before the response arrived, so the true offset is never smaller.
 *
 * @example
 * ```ts
 * serverClockOffset(response.headers.get("date"), Date.now());
 * ```
 */
export function serverClockOffset(dateHeader: string | null, receivedAt: number): number | undefined {
  if (dateHeader === null) return undefined;
  const serverTime = Date.parse(dateHeader);
  return Number.isFinite(serverTime) ? serverTime - receivedAt : undefined;
}

/**
 * The browser-clock time (ms) at which to check a session that expires at `expires` (an ISO
 * date, the server's clock): after the cookie's `Expires` by the browser's clock and after the
 * expiry by the server's clock. A server clock behind the browser's only delays the check;
 * `undefined` when `expires` is not a date.
 *
 * @example
 * ```ts
 * expiryCheckAt(session.expires, offset); // then setTimeout(check, checkAt - Date.now())
 * ```
 */
export function expiryCheckAt(expires: unknown, serverOffsetMs: number | undefined): number | undefined {
  if (typeof expires !== "string") return undefined;
  const at = Date.parse(expires);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(at, at - (serverOffsetMs ?? 0)) + EXPIRY_MARGIN_MS;
}

/**
 * The `setTimeout` delay that reaches `checkAt` from `now`: never negative, and never past
 * what timers honour (the caller re-arms when the timer fires early).
 *
 * @example
 * ```ts
 * setTimeout(check, timerDelay(checkAt, Date.now()));
 * ```
 */
export function timerDelay(checkAt: number, now: number): number {
  return Math.min(Math.max(0, Math.ceil(checkAt - now)), MAX_TIMER_MS);
}

/**
 * How long to wait before asking again after `failures` failed attempts in a row: 5 s, doubling,
 * at most a minute.
 *
 * @example
 * ```ts
 * retryDelay(1); // 5000
 * ```
 */
export function retryDelay(failures: number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 10));
  return Math.min(FIRST_RETRY_MS * 2 ** exponent, LAST_RETRY_MS);
}

/**
 * How long to wait before checking again after `count` answers in a row whose session had
 * already expired (an app whose `session` callback sets `expires` in the past): 1 s, doubling,
 * at most 5 minutes. Each check slides the session, so a fixed short gap would poll forever.
 *
 * @example
 * ```ts
 * expiredAnswerDelay(3); // 4000
 * ```
 */
export function expiredAnswerDelay(count: number): number {
  const exponent = Math.max(0, Math.min(count - 1, 20));
  return Math.min(MIN_CHECK_GAP_MS * 2 ** exponent, LAST_EXPIRED_CHECK_MS);
}
