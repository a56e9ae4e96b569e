import { RateLimited } from "../errors.js";
import { clientBucket } from "./client-address.js";
import type { RequestContext } from "./config.js";
import { sha256Hex } from "./digest.js";
import type { InternalCredentialsProvider } from "./providers.js";

// Configurations already warned that the client address is unknown: once each is enough.
const warnedNoAddress = new WeakSet<object>();

/** The throttle of one credentials attempt: refused, or allowed with a way to clear its account's count. */
export type ThrottleResult = { refused: RateLimited } | { refused: undefined; succeeded(): Promise<void> };

/**
 * Counts a credentials attempt per account and per client address and refuses it over either
 * limit. Counting comes first and is atomic in the store, so parallel guesses cannot slip under
 * the limit together; a successful sign-in clears the account's count (consecutive failures).
 * Account names are stored hashed.
 */
export async function throttleCredentials(ctx: RequestContext, provider: InternalCredentialsProvider, request: Request, credentials: Record<string, string>): Promise<ThrottleResult> {
  const { resolved } = ctx;
  const store = resolved.rateLimitStore;
  const { account, source } = provider.rateLimit;
  const checks: Array<Promise<{ key: string; count: number; max: number; resetAt: Date }>> = [];
  let accountKey: string | undefined;
  if (account) {
    const identifier = provider.rateLimit.identifier(credentials);
    if (identifier !== undefined) {
      accountKey = `credentials:${provider.id}:account:${await sha256Hex(identifier)}`;
      const key = accountKey;
      checks.push(store.hit(key, account.window * 1000).then((hit) => ({ key, ...hit, max: account.max })));
    }
  }
  if (source) {
    const bucket = clientBucket(request, resolved.config.rateLimit);
    if (bucket === undefined) {
      if (!warnedNoAddress.has(resolved)) {
        warnedNoAddress.add(resolved);
        resolved.logger.warn("rate-limit-no-address: the client address of a credentials sign-in is unknown, so only the per-account limit applies; check rateLimit.trustedProxies or pass rateLimit.clientAddress");
      }
    } else {
      const key = `credentials:${provider.id}:source:${bucket}`;
      checks.push(store.hit(key, source.window * 1000).then((hit) => ({ key, ...hit, max: source.max })));
    }
  }
  const hits = await Promise.all(checks);
  const over = hits.filter((hit) => hit.count > hit.max);
  if (over.length > 0) {
    const until = Math.max(...over.map((hit) => hit.resetAt.getTime()));
    const retryAfter = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    return { refused: new RateLimited(`Too many sign-in attempts with "${provider.id}"; try again in ${retryAfter} s.`, retryAfter) };
  }
  return {
    refused: undefined,
    async succeeded() {
      if (accountKey) await store.reset(accountKey);
    },
  };
}
