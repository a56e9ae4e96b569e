/**
 * The one way latch reaches an OAuth provider. Every request has a deadline that covers the
 * whole exchange (connecting, headers, body) and every answer a size cap, so a provider that is
 * down, hangs, drips or streams without end costs one bounded wait and fails closed — it can
 * neither hang a sign-in nor fill the server's memory. oauth4webapi sets no timeout of its own.
 */
import type { LoggerInstance } from "../../types.js";
import type { InternalOAuthProvider } from "../providers.js";

/** How long latch waits for one provider request by default (ms). */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 3500;

/** The largest answer latch reads from a provider; discovery, JWKS and token answers are a few KiB. */
export const MAX_PROVIDER_ANSWER_BYTES = 1024 * 1024;

/** The provider could not be reached, broke the connection, or gave no full answer before the deadline. */
export class ProviderUnreachable extends Error {
  override name = "ProviderUnreachable";
}

/** The provider's answer was larger than latch reads. */
export class ProviderAnswerTooLarge extends Error {
  override name = "ProviderAnswerTooLarge";
}

/**
 * `providerTimeout` after checks: a positive number of milliseconds, or `false` for no deadline.
 *
 * @example
 * ```ts
 * resolveProviderTimeout(undefined, logger); // 3500
 * ```
 */
export function resolveProviderTimeout(value: number | false | undefined, logger: LoggerInstance): number | false {
  if (value === undefined) return DEFAULT_PROVIDER_TIMEOUT_MS;
  if (value === false || (Number.isFinite(value) && value > 0)) return value;
  logger.warn(`provider-timeout-invalid: providerTimeout must be a positive number of milliseconds or false; the default ${DEFAULT_PROVIDER_TIMEOUT_MS} applies`);
  return DEFAULT_PROVIDER_TIMEOUT_MS;
}

// Statuses whose answer has no body: a Response with one cannot be built.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** `POST https://idp.example/token`: never the query, which may carry codes or tokens. */
function describeRequest(input: string | URL | Request, init: RequestInit | undefined): string {
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  const href = input instanceof Request ? input.url : String(input);
  try {
    const url = new URL(href);
    return `${method} ${url.origin}${url.pathname}`;
  } catch {
    return method;
  }
}

/** Rejects with the signal's reason as soon as it aborts, whether or not `promise` honours it. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Reads the whole body, refusing it as soon as it passes `limit` bytes or the signal aborts. */
async function readBounded(response: Response, signal: AbortSignal | undefined, limit: number, tooLarge: () => ProviderAnswerTooLarge): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get("content-length") ?? "");
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    // Closes the connection: a provider streaming without end stops costing anything.
    reader.cancel().catch(() => undefined);
    throw error;
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

const fetchers = new WeakMap<InternalOAuthProvider, { timeout: number | false; fetch: typeof fetch }>();

/**
 * The provider's `fetch` (or the global one) with a deadline of `timeout` ms per request and
 * answers capped at {@link MAX_PROVIDER_ANSWER_BYTES}. The answer comes back fully read, so
 * whoever parses it can no longer wait on the network. A request that fails for want of an
 * answer rejects with {@link ProviderUnreachable}, an oversized answer with
 * {@link ProviderAnswerTooLarge}. One function per provider, so that oauth4webapi can share a
 * JWKS download between concurrent callbacks.
 *
 * @example
 * ```ts
 * const response = await providerFetch(provider, 3500)("https://idp.example/.well-known/openid-configuration");
 * ```
 */
export function providerFetch(provider: InternalOAuthProvider, timeout: number | false): typeof fetch {
  const known = fetchers.get(provider);
  if (known?.timeout === timeout) return known.fetch;
  const who = `The provider "${provider.id}"`;
  const bounded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const where = describeRequest(input, init);
    const deadline = timeout === false ? undefined : AbortSignal.timeout(timeout);
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const signal = deadline && callerSignal ? AbortSignal.any([deadline, callerSignal]) : (deadline ?? callerSignal);
    const tooLarge = () => new ProviderAnswerTooLarge(`${who} answered with more than ${MAX_PROVIDER_ANSWER_BYTES} bytes (${where}); latch refuses answers that large.`);
    // Looked up per request, so that a fetch replaced after start-up (tests, instrumentation) is used.
    const underlying = provider.fetch ?? globalThis.fetch;
    // Started inside a promise, so that a fetch that throws at once is handled like one that rejects.
    const pending = Promise.resolve().then(() => underlying(input, { ...init, ...(signal ? { signal } : {}) }));
    try {
      const response = await untilAborted(pending, signal);
      // Only a runtime that hides redirects answers outside 200–599 (an opaque redirect, no body).
      if (response.status < 200 || response.status > 599) return response;
      const body = await readBounded(response, signal, MAX_PROVIDER_ANSWER_BYTES, tooLarge);
      return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      // A custom fetch that ignores the signal may still answer later: release that answer.
      pending.then((late) => late.body?.cancel(), () => undefined).catch(() => undefined);
      if (error instanceof ProviderAnswerTooLarge) throw error;
      if (deadline?.aborted) throw new ProviderUnreachable(`${who} did not answer within ${timeout} ms (${where}).`, { cause: error });
      // The caller (a userinfo.request function) gave up itself: its own reason stands.
      if (callerSignal?.aborted) throw error;
      throw new ProviderUnreachable(`${who} could not be reached (${where}).`, { cause: error });
    }
  };
  fetchers.set(provider, { timeout, fetch: bounded });
  return bounded;
}
