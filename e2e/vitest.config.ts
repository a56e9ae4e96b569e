import { defineConfig } from "vitest/config";

/**
 * Browser tests: one `next build`, real servers and a real Chromium per run,
 * so files run one after another in a single fork, with room for the build
 * (minutes on a 2-core machine) in the hooks.
 */
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 900_000,
    teardownTimeout: 30_000,
  },
});
