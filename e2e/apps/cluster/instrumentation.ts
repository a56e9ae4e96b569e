/**
 * Migrates the shared schema when `next start` starts, before the instance serves a request, so a
 * broken database shows at startup. Both instances of the test start at once and migrate the same
 * schema concurrently: `migratePostgres` must serialize them and tolerate the second run.
 */
export async function register(): Promise<void> {
  // `next build` may load this file with no database configured; the config awaits the
  // migration too (see auth.ts), so an instance that skipped it here still never runs unmigrated.
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.CLUSTER_DATABASE_URL) return;
  // Imported here, not at the top: instrumentation is also compiled for the Edge runtime, where pg cannot load.
  const { migrated } = await import("./services");
  await migrated();
}
