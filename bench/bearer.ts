/**
 * Bearer-token reads: what `auth()` costs for a request carrying `Authorization: Bearer`, next to
 * the same session read from the cookie. `firstSight` verifies a token never seen before (one
 * Ed25519 signature check); `repeated` is the same token again (the verified-token cache);
 * `cookie` decrypts the session cookie. Rounds interleave the three; about 5 s in all.
 */
import { pathToFileURL } from "node:url";
import { issueBearerToken } from "../packages/latch/src/core/bearer.js";
import { createRequestContext, resolveConfig } from "../packages/latch/src/core/config.js";
import { readRequestAuth } from "../packages/latch/src/core/session/read-session.js";
import { encode } from "../packages/latch/src/jwt.js";
import { summary, type Summary } from "./stats.js";

const ROUNDS = 5;
const SLICE_MS = 300;
const secret = "bench-secret-bench-secret-bench-secret-0123";

/** Reads per second for each way in, medians and ranges over the rounds. */
export interface BearerReport {
  firstSightReadsPerSec: Summary;
  repeatedReadsPerSec: Summary;
  cookieReadsPerSec: Summary;
  tokenLength: number;
  rounds: number;
}

async function measure(operation: () => Promise<unknown>, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 8; i++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/** Measures bearer and cookie reads through the same function `auth()` uses. */
export async function benchBearer(): Promise<BearerReport> {
  const resolved = resolveConfig({ secret, trustHost: true, bearer: { bindToBrowser: false }, providers: [] }, {});
  const ctx = createRequestContext(resolved, new Headers({ host: "127.0.0.1:3000" }));
  const bearer = resolved.bearer;
  if (!bearer) throw new Error("bench: bearer tokens did not resolve");
  const claims = { sub: "6f1c2a9e-3b7d-4e58-9a0c-2d4b6e8f1a3c", sid: "0123456789abcdef0123456789abcdef", name: "Alice Example", email: "alice@example.com", picture: null };
  // A pool of distinct tokens, so "first sight" never hits the cache (it holds 1000).
  const pool = await Promise.all(Array.from({ length: 4000 }, () => issueBearerToken(ctx, bearer, claims)));
  let next = 0;
  const repeated = pool[0]?.token ?? "";
  const cookie = new Map([["authjs.session-token", await encode({ token: claims, secret, salt: "authjs.session-token" })]]);
  const none = new Map<string, string>();
  const check = await readRequestAuth(ctx, `Bearer ${repeated}`, none, { renew: false });
  if (check.session?.user?.email !== claims.email) throw new Error("bench: the bearer token did not read back; not benchmarking");

  const operations = {
    firstSight: () => readRequestAuth(ctx, `Bearer ${pool[next++ % pool.length]?.token ?? ""}`, none, { renew: false }),
    repeated: () => readRequestAuth(ctx, `Bearer ${repeated}`, none, { renew: false }),
    cookie: () => readRequestAuth(ctx, null, cookie, { renew: false }),
  };
  const samples: Record<keyof typeof operations, number[]> = { firstSight: [], repeated: [], cookie: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(operations) as Array<keyof typeof operations>) samples[name].push(await measure(operations[name], SLICE_MS));
  }
  return {
    firstSightReadsPerSec: summary(samples.firstSight),
    repeatedReadsPerSec: summary(samples.repeated),
    cookieReadsPerSec: summary(samples.cookie),
    tokenLength: repeated.length,
    rounds: ROUNDS,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.stdout.write(`${JSON.stringify(await benchBearer(), null, 2)}\n`);
}
