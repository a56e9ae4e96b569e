/**
 * What the database-session benchmark must remove if the process ends before its own cleanup:
 * the SQLite temp dir (removed in place) and the PostgreSQL schema and Redis keys (removed by
 * running cleanup.ts as a child, synchronously, since an "exit" handler cannot wait for I/O).
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CleanupJob } from "./cleanup.js";

const job: CleanupJob = { postgres: false, redis: false };
const dirs = new Set<string>();

/** Marks what a store wrote; `undefined` once the store cleaned up itself. */
export const pending = {
  sqliteDir(dir: string, owned: boolean): void {
    if (owned) dirs.add(dir);
    else dirs.delete(dir);
  },
  postgres(applicationName: string | undefined): void {
    job.postgres = applicationName !== undefined;
    if (applicationName === undefined) delete job.postgresApplicationName;
    else job.postgresApplicationName = applicationName;
  },
  redis(lockValue: string | undefined): void {
    job.redis = lockValue !== undefined;
    if (lockValue === undefined) delete job.redisLockValue;
    else job.redisLockValue = lockValue;
  },
};

process.once("exit", () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (!job.postgres && !job.redis) return;
  process.stderr.write("bench: database-session: exiting early, removing the benchmark's schema and keys\n");
  const script = fileURLToPath(new URL("./cleanup.ts", import.meta.url));
  const root = fileURLToPath(new URL("../..", import.meta.url));
  spawnSync(process.execPath, ["--import", "tsx", script, JSON.stringify(job)], { cwd: root, stdio: ["ignore", "ignore", "inherit"], timeout: 60_000, killSignal: "SIGKILL" });
});

// Standalone runs have no other handler (bench/proxy/children.ts installs the same when loaded):
// turn the signals into exit() so the handler above runs.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  process.once(signal, () => process.exit(code));
}
