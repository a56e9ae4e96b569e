import { migratePostgres } from "latch/adapters/postgres";
import type { RedisCommandClient } from "latch/revocation/redis";
import pg from "pg";
import { createClient } from "redis";

function createRedis(url: string) {
  const client = createClient({ url });
  // Without a listener node-redis turns a dropped connection into an uncaught exception.
  client.on("error", (error: unknown) => console.error("cluster: Redis:", error));
  return client;
}

/** The client type `createClient` infers for these options (the generic `RedisClientType` is another type). */
type RedisClient = ReturnType<typeof createRedis>;

/** What every instance of the app shares with the others: one PostgreSQL schema and one Redis. */
interface ClusterServices {
  pool: pg.Pool;
  /** The schema migration, started once per process (see `instrumentation.ts`). */
  migrated: Promise<void> | undefined;
  redis: RedisClient;
  connected: Promise<RedisClient> | undefined;
}

/** A setting the test sets for every instance; missing, the app fails with what to set. */
export function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`cluster: ${name} is not set; e2e/cluster.test.ts sets it for every instance it starts.`);
  }
  return value;
}

// Next bundles the route handlers, the pages and instrumentation.ts separately, and each bundle
// may carry its own copy of this module: the clients live on globalThis so that a process holds
// one pool and one Redis connection, as a deployed app would.
const holder = globalThis as typeof globalThis & { __latchClusterServices?: ClusterServices };

function services(): ClusterServices {
  let shared = holder.__latchClusterServices;
  if (shared === undefined) {
    const schema = setting("CLUSTER_PG_SCHEMA");
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`cluster: CLUSTER_PG_SCHEMA must be a plain lower-case identifier, got ${JSON.stringify(schema)}`);
    shared = {
      // Every connection of the pool works in the test's schema, so the adapter's unqualified table names land there.
      pool: new pg.Pool({ connectionString: setting("CLUSTER_DATABASE_URL"), options: `-c search_path=${schema}` }),
      migrated: undefined,
      redis: createRedis(setting("CLUSTER_REDIS_URL")),
      connected: undefined,
    };
    holder.__latchClusterServices = shared;
  }
  return shared;
}

/** The shared pool. */
export function pool(): pg.Pool {
  return services().pool;
}

/**
 * Creates the adapter's tables unless they exist, once per process; a failure is retried by the
 * next caller. `migratePostgres` takes an advisory lock, so instances starting together take turns.
 */
export function migrated(): Promise<void> {
  const shared = services();
  shared.migrated ??= migratePostgres(shared.pool).catch((error: unknown) => {
    shared.migrated = undefined;
    throw error;
  });
  return shared.migrated;
}

/**
 * The Redis client as the revocation store sees it, connecting on the first command: nothing
 * touches Redis before a session is read, and one connection serves every later command.
 */
export function redisCommands(): RedisCommandClient {
  const connected = (): Promise<RedisClient> => {
    const shared = services();
    shared.connected ??= shared.redis.connect().catch((error: unknown) => {
      shared.connected = undefined;
      throw error;
    });
    return shared.connected;
  };
  return {
    async sendCommand(args) {
      return (await connected()).sendCommand(args);
    },
  };
}
