/**
 * Run settings shared by the property suites. Each property runs a bounded number of times so
 * the suites stay fast in CI; fast-check prints the seed and the shrunk counterexample of a
 * failure, and `FUZZ_SEED=<seed>` replays it. `FUZZ_SCALE=<n>` multiplies every run count for a
 * longer campaign on a developer machine (past about 30, also raise vitest's `--testTimeout`).
 */
import type { Parameters } from "fast-check";

function integerFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

const seed = integerFromEnv("FUZZ_SEED");
const scale = integerFromEnv("FUZZ_SCALE") ?? 1;
if (scale < 1) throw new TypeError("FUZZ_SCALE must be at least 1");

/**
 * fast-check parameters for a property that runs `numRuns` times (times `FUZZ_SCALE`), with
 * `FUZZ_SEED` when set and a random seed otherwise.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(fc.string(), (s) => parse(s) !== undefined), fuzzRuns(500));
 * ```
 */
export function fuzzRuns<T>(numRuns: number): Parameters<T> {
  return { numRuns: numRuns * scale, ...(seed !== undefined ? { seed } : {}) };
}
