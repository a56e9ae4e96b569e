/**
 * `npm run bench`: encode/decode throughput of a typical session token, latch's session codec
 * against next-auth v5's `next-auth/jwt`, in one process. Rounds interleave the four
 * measurements so drift (CPU frequency, GC, other load) hits both libraries alike; the whole run
 * stays under ~15 s. Prints one JSON document to stdout.
 */
import { decode as nextAuthDecode, encode as nextAuthEncode } from "next-auth/jwt";
import { createSessionCodec } from "../packages/latch/src/jwt.js";
import type { JWT } from "../packages/latch/src/types.js";

const ROUNDS = 7;
const SLICE_MS = 350;
const WARMUP_MS = 300;
const DEADLINE_MS = 45_000;

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

function summary(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0] ?? 0), max: Math.round(sorted[sorted.length - 1] ?? 0) };
}

async function main(): Promise<void> {
  const began = performance.now();
  const codec = createSessionCodec(secret, salt);
  const latchToken = await codec.encode(payload, maxAge);
  const nextAuthToken = await nextAuthEncode({ token: payload, secret, salt, maxAge });

  // A benchmark of a codec that disagrees with next-auth would measure nothing worth having.
  const crossed = [await codec.decode(nextAuthToken), await nextAuthDecode({ token: latchToken, secret, salt })];
  for (const claims of crossed) {
    if (!claims || claims.sub !== payload.sub || claims.email !== payload.email) throw new Error("latch and next-auth do not read each other's tokens; not benchmarking");
  }

  const operations: Record<string, Operation> = {
    latchEncode: () => codec.encode(payload, maxAge),
    latchDecode: () => codec.decode(latchToken),
    nextAuthEncode: () => nextAuthEncode({ token: payload, secret, salt, maxAge }),
    nextAuthDecode: () => nextAuthDecode({ token: nextAuthToken, secret, salt }),
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
  const ratio = (a: string, b: string): number => Math.round(((stats[a]?.median ?? 0) / (stats[b]?.median ?? 1)) * 10) / 10;
  const report = {
    node: process.version,
    sessionToken: {
      latch: { encodeOpsPerSec: stats.latchEncode, decodeOpsPerSec: stats.latchDecode },
      nextAuth: { encodeOpsPerSec: stats.nextAuthEncode, decodeOpsPerSec: stats.nextAuthDecode },
      ratio: { encode: ratio("latchEncode", "nextAuthEncode"), decode: ratio("latchDecode", "nextAuthDecode") },
      tokenLength: { latch: latchToken.length, nextAuth: nextAuthToken.length },
      rounds,
      sliceMs: SLICE_MS,
      durationMs: Math.round(performance.now() - began),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
