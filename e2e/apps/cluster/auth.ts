import type { AuthConfig } from "latch";
import { PostgresAdapter } from "latch/adapters/postgres";
import NextAuth from "latch/next";
import { RedisProviderTokenStore } from "latch/provider-tokens/redis";
import OIDC from "latch/providers/oidc";
import { RedisRevocationStore } from "latch/revocation/redis";
import { migrated, pool, redisCommands, setting } from "./services";

function strategy(): "database" | "jwt" {
  const value = setting("CLUSTER_STRATEGY");
  if (value !== "database" && value !== "jwt") throw new Error(`cluster: CLUSTER_STRATEGY must be "database" or "jwt", got ${JSON.stringify(value)}`);
  return value;
}

let built: AuthConfig | undefined;

/**
 * The config, built from the environment on first use rather than at import: `next build`
 * imports this file with none of the settings, which only `next start` gets. The same object
 * is returned every time after, so latch resolves it once.
 */
async function config(): Promise<AuthConfig> {
  await migrated();
  built ??= {
    // Users and accounts live in PostgreSQL with either strategy; with "database" the sessions too.
    adapter: PostgresAdapter(pool()),
    session: { strategy: strategy() },
    // Used with "jwt": sign-out revokes the token's sid, signOutEverywhere() the user's earlier sessions.
    revocation: RedisRevocationStore(redisCommands(), { prefix: setting("CLUSTER_REDIS_PREFIX") }),
    // The IdP's access and refresh tokens of each sign-in, shared by the instances: getAccessToken()
    // refreshes them once across the cluster. A 1-second margin: the test waits for real expiry.
    providerTokens: {
      store: RedisProviderTokenStore(redisCommands(), { prefix: `${setting("CLUSTER_REDIS_PREFIX")}pt:` }),
      refreshMargin: 1,
    },
    providers: [
      OIDC({
        id: "local",
        name: "Local IdP",
        issuer: setting("AUTH_LOCAL_ISSUER"),
        clientId: "latch-demo",
        clientSecret: setting("AUTH_LOCAL_SECRET"),
      }),
    ],
  };
  return built;
}

export const { handlers, auth, signIn, signOut, signOutEverywhere, revokeUser, getAccessToken } = NextAuth(config);
