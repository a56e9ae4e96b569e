import type { AuthConfig } from "latch";

type RevocationStore = NonNullable<AuthConfig["revocation"]>;

/**
 * What the client fixture keeps in memory, as a real app keeps it in a database: profile names
 * an admin may change behind the user's back, and revoked sessions (so a sign-out through a raw
 * request ends the browser's JWT session too).
 *
 * It lives on `globalThis`, not in a module variable: Next.js bundles pages and route handlers
 * as separate entries, and a module shared between them may be instantiated once per entry.
 */
export interface FixtureState {
  /** Display names by user id, read by the `jwt` callback on every plain read of the session. */
  profiles: Map<string, string>;
  /** Revoked session ids, with when their tokens expire anyway. */
  revoked: Map<string, number>;
}

declare global {
  // `var` is what declares a property of globalThis.
  var latchClientFixture: FixtureState | undefined;
}

/**
 * The process-wide state, created on first use.
 *
 * @example
 * ```ts
 * fixtureState().profiles.set("user-dave", "Dave Fresh");
 * ```
 */
export function fixtureState(): FixtureState {
  globalThis.latchClientFixture ??= { profiles: new Map(), revoked: new Map() };
  return globalThis.latchClientFixture;
}

/** A revocation store in process memory: enough for one `next start`, which is all a fixture runs. */
export function memoryRevocationStore(): RevocationStore {
  return {
    async revokeSession(sid, until) {
      fixtureState().revoked.set(sid, until.getTime());
    },
    async revokeUser() {
      // Not used by the client tests.
    },
    async isRevoked({ sid }) {
      return sid !== undefined && fixtureState().revoked.has(sid);
    },
  };
}
