/**
 * Encode/decode throughput of a typical session token, latch's session codec against next-auth
 * v5's `next-auth/jwt` and Better Auth's cookie cache in its stateless mode (the `session_data`
 * JWE: `symmetricEncodeJWT` as its `setCookieCache` calls it, `getCookieCache` to read it back),
 * in one process. Rounds interleave the six measurements so drift (CPU frequency, GC, other load)
 * hits every library alike; the whole run stays under ~25 s. `npm run bench` (bench/index.ts) runs it with the other benchmarks; run alone
 * (`node --import tsx bench/session-token.ts`) it prints its own JSON document to stdout.
 */
import { pathToFileURL } from "node:url";
import { getCookieCache } from "better-auth/cookies";
import { symmetricEncodeJWT } from "better-auth/crypto";
import { decode as nextAuthDecode, encode as nextAuthEncode } from "next-auth/jwt";
import { createSessionCodec } from "../packages/latch/src/jwt.js";
import type { JWT } from "../packages/latch/src/types.js";
import { signInBetterAuth } from "./proxy/better-auth-cookie.js";
import { summary, type Summary } from "./stats.js";

const ROUNDS = 7;
const SLICE_MS = 350;
const WARMUP_MS = 300;
const DEADLINE_MS = 60_000;

const secret = "bench-secret-bench-secret-bench-secret-0123";
const salt = "authjs.session-token";
const maxAge = 30 * 24 * 60 * 60;
const payload: JWT = {
  name: "Alice Example",
  email: "alice@example.com",
  picture: "https://avatars.githubusercontent.com/u/1?v=4",
  sub: "6f1c2a9e-3b7d-4e58-9a0c-2d4b6e8f1a3c",
  provider: "github",
};

type Operation = () => Promise<unknown>;

/** Operations per second of `operation`, run back to back for about `ms`. */
async function measure(operation: Operation, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  // Check the clock every few calls: reading it costs more than a fast decode's variance.
  while (elapsed < ms) {
    for (let i = 0; i < 16; i++) await operation();
    count += 16;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/** Better Auth's cookie-cache name and JWE salt, and the cache's lifetime in the benchmark app. */
const BETTER_AUTH_COOKIE = "better-auth.session_data";
const BETTER_AUTH_SALT = "better-auth-session";
const BETTER_AUTH_MAX_AGE = 7 * 24 * 60 * 60;

/** One library's figures. */
interface CodecFigures {
  encodeOpsPerSec: Summary;
  decodeOpsPerSec: Summary;
}

/** What `benchSessionToken` measured: medians and ranges over the rounds, in operations per second. */
export interface SessionTokenReport {
  latch: CodecFigures;
  nextAuth: CodecFigures;
  betterAuth: CodecFigures;
  /** latch's median over the other library's. */
  ratio: { encode: number; decode: number; encodeToBetterAuth: number; decodeToBetterAuth: number };
  tokenLength: { latch: number; nextAuth: number; betterAuth: number };
  rounds: number;
  sliceMs: number;
  durationMs: number;
}

/**
 * Measures latch's session codec against `next-auth/jwt` (after checking that each reads the
 * other's tokens) and Better Auth's cookie cache (after checking it reads its own); rejects when
 * a check fails.
 *
 * @example
 * ```ts
 * const { ratio } = await benchSessionToken();
 * ```
 */
export async function benchSessionToken(): Promise<SessionTokenReport> {
  const began = performance.now();
  const codec = createSessionCodec(secret, salt);
  const latchToken = await codec.encode(payload, maxAge);
  const nextAuthToken = await nextAuthEncode({ token: payload, secret, salt, maxAge });

  // A benchmark of a codec that disagrees with next-auth would measure nothing worth having.
  const crossed = [await codec.decode(nextAuthToken), await nextAuthDecode({ token: latchToken, secret, salt })];
  for (const claims of crossed) {
    if (!claims || claims.sub !== payload.sub || claims.email !== payload.email) throw new Error("latch and next-auth do not read each other's tokens; not benchmarking");
  }

  // Better Auth's cache holds the session and the user as its sign-in wrote them.
  const betterAuthCookie = (await signInBetterAuth(secret)).find((cookie) => cookie.name === BETTER_AUTH_COOKIE);
  if (!betterAuthCookie) throw new Error("bench: Better Auth's sign-in set no session_data cookie; not benchmarking");
  const readBetterAuth = (token: string): ReturnType<typeof getCookieCache> =>
    getCookieCache(new Headers({ cookie: `${BETTER_AUTH_COOKIE}=${token}` }), { secret, strategy: "jwe", isSecure: false });
  const signedIn = await readBetterAuth(betterAuthCookie.value);
  if (!signedIn || signedIn.user.email !== payload.email) throw new Error("bench: Better Auth does not read its own session cookie; not benchmarking");
  const betterAuthPayload = { session: signedIn.session, user: signedIn.user, updatedAt: signedIn.updatedAt, version: signedIn.version ?? "1" };
  const betterAuthToken = await symmetricEncodeJWT(betterAuthPayload, secret, BETTER_AUTH_SALT, BETTER_AUTH_MAX_AGE);
  if ((await readBetterAuth(betterAuthToken))?.session.token !== signedIn.session.token) throw new Error("bench: Better Auth does not read back what it encoded; not benchmarking");

  const operations: Record<string, Operation> = {
    latchEncode: () => codec.encode(payload, maxAge),
    latchDecode: () => codec.decode(latchToken),
    nextAuthEncode: () => nextAuthEncode({ token: payload, secret, salt, maxAge }),
    nextAuthDecode: () => nextAuthDecode({ token: nextAuthToken, secret, salt }),
    betterAuthEncode: () => symmetricEncodeJWT(betterAuthPayload, secret, BETTER_AUTH_SALT, BETTER_AUTH_MAX_AGE),
    betterAuthDecode: () => readBetterAuth(betterAuthToken),
  };
  const names = Object.keys(operations);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));

  for (const name of names) await measure(operations[name] as Operation, WARMUP_MS);
  let rounds = 0;
  for (let round = 0; round < ROUNDS && performance.now() - began < DEADLINE_MS; round++) {
    // Rotate the order every round so no library always runs right after the other's garbage.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      samples[name]?.push(await measure(operations[name] as Operation, SLICE_MS));
    }
    rounds++;
  }

  const stats = Object.fromEntries(names.map((name) => [name, summary(samples[name] ?? [])]));
  const missing: Summary = { median: 0, min: 0, max: 0 };
  const ratio = (a: string, b: string): number => Math.round(((stats[a]?.median ?? 0) / (stats[b]?.median ?? 1)) * 10) / 10;
  return {
    latch: { encodeOpsPerSec: stats.latchEncode ?? missing, decodeOpsPerSec: stats.latchDecode ?? missing },
    nextAuth: { encodeOpsPerSec: stats.nextAuthEncode ?? missing, decodeOpsPerSec: stats.nextAuthDecode ?? missing },
    betterAuth: { encodeOpsPerSec: stats.betterAuthEncode ?? missing, decodeOpsPerSec: stats.betterAuthDecode ?? missing },
    ratio: {
      encode: ratio("latchEncode", "nextAuthEncode"),
      decode: ratio("latchDecode", "nextAuthDecode"),
      encodeToBetterAuth: ratio("latchEncode", "betterAuthEncode"),
      decodeToBetterAuth: ratio("latchDecode", "betterAuthDecode"),
    },
    tokenLength: { latch: latchToken.length, nextAuth: nextAuthToken.length, betterAuth: betterAuthToken.length },
    rounds,
    sliceMs: SLICE_MS,
    durationMs: Math.round(performance.now() - began),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = { node: process.version, sessionToken: await benchSessionToken() };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
