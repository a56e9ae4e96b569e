import { describe, expect, it } from "vitest";
import OIDC from "../../providers/oidc.js";
import type { LoggerInstance } from "../../types.js";
import { resolveProviders, type InternalOAuthProvider } from "../providers.js";
import { DEFAULT_PROVIDER_TIMEOUT_MS, MAX_PROVIDER_ANSWER_BYTES, ProviderAnswerTooLarge, providerFetch, ProviderUnreachable, resolveProviderTimeout } from "./provider-fetch.js";

const quiet: LoggerInstance = { error: () => undefined, warn: () => undefined, debug: () => undefined };

function providerWith(fetch: typeof globalThis.fetch): InternalOAuthProvider {
  const [provider] = resolveProviders([OIDC({ id: "idp", name: "IdP", issuer: "https://idp.test", clientId: "c", clientSecret: "s", fetch })], {}, quiet);
  if (provider?.type !== "oidc") throw new Error("no OIDC provider");
  return provider;
}

/** A body that sends `chunk` every `everyMs` (or at once, each read) until cancelled. */
function endlessBody(chunk: Uint8Array, everyMs: number | undefined, onCancel: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (everyMs !== undefined) await new Promise((resolve) => setTimeout(resolve, everyMs));
      controller.enqueue(chunk);
    },
    cancel: onCancel,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected a rejection");
}

describe("providerFetch", () => {
  it("gives up on a fetch that never answers and ignores the signal, at the deadline", async () => {
    const started = Date.now();
    const hung = providerWith(() => new Promise<Response>(() => undefined));
    const error = await rejection(providerFetch(hung, 50)(new URL("https://idp.test/token?code=secret-code"), { method: "POST" }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ProviderUnreachable);
    expect(error.message).toBe('The provider "idp" did not answer within 50 ms (POST https://idp.test/token).');
  }, 5000);

  it("names an unreachable provider and keeps the network error as the cause", async () => {
    const refused = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    const error = await rejection(
      providerFetch(
        providerWith(() => Promise.reject(refused)),
        1000,
      )("https://idp.test/jwks"),
    );
    expect(error).toBeInstanceOf(ProviderUnreachable);
    expect(error.message).toBe('The provider "idp" could not be reached (GET https://idp.test/jwks).');
    expect(error.cause).toBe(refused);
  });

  it("refuses an answer whose Content-Length is over the cap without reading it", async () => {
    let cancelled = false;
    const body = endlessBody(new Uint8Array(1), undefined, () => {
      cancelled = true;
    });
    const huge = () => Promise.resolve(new Response(body, { headers: { "content-length": String(MAX_PROVIDER_ANSWER_BYTES + 1) } }));
    const error = await rejection(providerFetch(providerWith(huge), 1000)("https://idp.test/token"));
    expect(error).toBeInstanceOf(ProviderAnswerTooLarge);
    expect(error.message).toBe(`The provider "idp" answered with more than ${MAX_PROVIDER_ANSWER_BYTES} bytes (GET https://idp.test/token); latch refuses answers that large.`);
    expect(cancelled).toBe(true);
  });

  it("stops reading a body without end at the cap and hangs up", async () => {
    let cancelled = false;
    const endless = () =>
      Promise.resolve(
        new Response(
          endlessBody(new Uint8Array(64 * 1024).fill(0x41), undefined, () => {
            cancelled = true;
          }),
        ),
      );
    const error = await rejection(providerFetch(providerWith(endless), 5000)("https://idp.test/userinfo"));
    expect(error).toBeInstanceOf(ProviderAnswerTooLarge);
    expect(cancelled).toBe(true);
  });

  it("gives up on a body that drips slower than the deadline", async () => {
    let cancelled = false;
    const drip = () =>
      Promise.resolve(
        new Response(
          endlessBody(new Uint8Array([0x20]), 10, () => {
            cancelled = true;
          }),
        ),
      );
    const started = Date.now();
    const error = await rejection(providerFetch(providerWith(drip), 100)("https://idp.test/jwks"));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ProviderUnreachable);
    expect(error.message).toMatch(/did not answer within 100 ms/);
    expect(cancelled).toBe(true);
  });

  it("hands back the answer as it came: status, headers and body, read in full", async () => {
    const fetch = providerFetch(
      providerWith(() => Promise.resolve(new Response('{"ok":true}', { status: 400, statusText: "Bad Request", headers: { "content-type": "application/json", "www-authenticate": 'Bearer error="x"' } }))),
      1000,
    );
    const response = await fetch("https://idp.test/token");
    expect(response.status).toBe(400);
    expect(response.statusText).toBe("Bad Request");
    expect(response.headers.get("www-authenticate")).toBe('Bearer error="x"');
    expect(await response.clone().json()).toEqual({ ok: true });
    expect(await response.text()).toBe('{"ok":true}');
    const empty = await providerFetch(providerWith(() => Promise.resolve(new Response(null, { status: 204 }))), 1000)("https://idp.test/revoke");
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("passes the deadline to the fetch, and a caller's own abort keeps its reason", async () => {
    const seen: Array<AbortSignal | null | undefined> = [];
    const fetch = providerFetch(
      providerWith((_input, init) => {
        seen.push(init?.signal);
        return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason instanceof Error ? init.signal.reason : new Error("aborted"))));
      }),
      5000,
    );
    const controller = new AbortController();
    const pending = rejection(fetch("https://idp.test/me", { signal: controller.signal }));
    controller.abort(new Error("the caller gave up"));
    const error = await pending;
    expect(error.message).toBe("the caller gave up");
    expect(seen[0]).toBeInstanceOf(AbortSignal);
  });

  it("is one function per provider and timeout", () => {
    const provider = providerWith(() => Promise.resolve(new Response("")));
    expect(providerFetch(provider, 1000)).toBe(providerFetch(provider, 1000));
    expect(providerFetch(provider, 2000)).not.toBe(providerFetch(provider, 1000));
  });
});

describe("resolveProviderTimeout", () => {
  it("defaults to 3500 ms, takes false and positive numbers, and warns about the rest", () => {
    const warnings: string[] = [];
    const logger: LoggerInstance = { ...quiet, warn: (code) => warnings.push(code) };
    expect(resolveProviderTimeout(undefined, logger)).toBe(DEFAULT_PROVIDER_TIMEOUT_MS);
    expect(DEFAULT_PROVIDER_TIMEOUT_MS).toBe(3500);
    expect(resolveProviderTimeout(false, logger)).toBe(false);
    expect(resolveProviderTimeout(250, logger)).toBe(250);
    expect(warnings).toEqual([]);
    for (const wrong of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(resolveProviderTimeout(wrong, logger)).toBe(DEFAULT_PROVIDER_TIMEOUT_MS);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^provider-timeout-invalid: /);
  });
});
