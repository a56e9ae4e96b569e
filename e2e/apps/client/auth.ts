import type { AuthConfig } from "latch";
import NextAuth from "latch/next";
import Credentials from "latch/providers/credentials";
import { fixtureState, memoryRevocationStore } from "./fixture-state";

// Augments "latch", where Session is declared for apps; the type import above is what
// puts "latch" in the program (importing only "latch/next" leaves the augmentation
// pointing at a module TypeScript never loaded: TS2664).
declare module "latch" {
  interface Session {
    /** How many times the `jwt` callback ran with `trigger: "update"` for this session. */
    updates?: number | undefined;
  }
}

/** The fixture's accounts: one per test that needs its own, so tests never share a user. */
const USERS = new Map(
  ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent", "walter", "victor", "wendy"].map((username) => [
    username,
    { id: `user-${username}`, name: username.charAt(0).toUpperCase() + username.slice(1), password: `${username}-password` },
  ]),
);

/** Seconds a session lives; `CLIENT_SESSION_MAX_AGE` lets a test run one that expires in seconds. */
const maxAge = Number(process.env.CLIENT_SESSION_MAX_AGE) || 30 * 24 * 60 * 60;
/** Seconds a bearer token lives; `CLIENT_BEARER_MAX_AGE` lets a test watch one expire. */
const bearerMaxAge = Number(process.env.CLIENT_BEARER_MAX_AGE) || 600;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const providers: AuthConfig["providers"] = [
  Credentials({
    credentials: {
      username: { label: "Username", type: "text" },
      password: { label: "Password", type: "password" },
    },
    // A fixture: plain comparison of plain passwords. Real apps use latch/password.
    authorize({ username, password }) {
      const user = USERS.get(String(username));
      if (!user || user.password !== password) return null;
      return { id: user.id, name: user.name, email: `${String(username)}@example.test` };
    },
    // Small, so a test reaches the limit quickly; per account only, since every test signs in from 127.0.0.1.
    rateLimit: { account: { max: 5, window: 15 * 60 }, source: false },
  }),
];

export const { handlers, auth, signIn, signOut } = NextAuth({
  providers,
  session: { strategy: "jwt", maxAge },
  // Bearer mode on: /api/auth/token issues tokens bound to the browser, /api/me accepts them.
  bearer: { maxAge: bearerMaxAge },
  revocation: memoryRevocationStore(),
  callbacks: {
    jwt({ token, trigger, session }) {
      if (trigger === "update") {
        if (isRecord(session) && typeof session.name === "string") token.name = session.name;
        token.updates = (typeof token.updates === "number" ? token.updates : 0) + 1;
      } else if (trigger === undefined && token.sub !== undefined) {
        // A plain read (a refetch, update() without data): take a name an admin changed, as an app re-reads its database.
        const profile = fixtureState().profiles.get(token.sub);
        if (profile !== undefined) token.name = profile;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.sub }, updates: typeof token.updates === "number" ? token.updates : 0 };
    },
  },
});
