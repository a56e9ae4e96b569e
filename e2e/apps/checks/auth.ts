import type { AuthConfig } from "latch";
import NextAuth from "latch/next";
import OIDC from "latch/providers/oidc";
import { probe, REQUEST_ID_HEADER } from "./probe";

// Augments "latch", where Session is declared for apps; the type import above is what
// puts "latch" in the program (importing only "latch/next" leaves the augmentation
// pointing at a module TypeScript never loaded: TS2664).
declare module "latch" {
  interface Session {
    /** Which call of the lazy config built this session, and whether that call was given the request. */
    lazyConfig?: { call: number; withRequest: boolean } | undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * The lazy form, `NextAuth((request) => config)`, on purpose: every check in this
 * app goes through a config built per call. Each call leaves a mark that the
 * tests can see — its number in the session (`lazyConfig`), in the provider's
 * authorization URL (`lazy_config_call`) and in the sign-out record — so a
 * config built once and reused, or never built, shows.
 *
 * `CHECKS_JWT_THROWS=1` makes the `jwt` callback throw, for the fail-closed check;
 * it is read here, per call, as an app reading its settings at request time would.
 */
export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(async (request): Promise<AuthConfig> => {
  const call = ++probe().configCalls;
  // Counting jwt calls per request: a test tags one request with a random id in a header,
  // and the callbacks built here count under it. A header is the one per-request value
  // every path can read — the route handlers get it on the request, while auth(),
  // signIn, signOut and unstable_update pass undefined but run inside the request, whose
  // headers Next.js hands out. A bare counter's before/after delta would also count
  // whatever else the server did meanwhile; React's cache() exists only while rendering.
  // next/headers is imported on use: the Pages Router (pages/) refuses modules that import it statically.
  const requestId = (request?.headers ?? (await (await import("next/headers")).headers())).get(REQUEST_ID_HEADER);
  const jwtThrows = process.env.CHECKS_JWT_THROWS === "1";

  return {
    providers: [
      OIDC({
        id: "local",
        name: "Local IdP",
        issuer: process.env.AUTH_LOCAL_ISSUER ?? "http://127.0.0.1:4000",
        clientId: "latch-demo",
        clientSecret: process.env.AUTH_LOCAL_SECRET ?? "latch-demo-secret",
        // The IdP ignores a parameter it does not know; the tests read it off the URL.
        authorization: { params: { lazy_config_call: String(call) } },
      }),
    ],
    callbacks: {
      jwt({ token, trigger, session }) {
        if (requestId !== null) probe().jwtCalls.set(requestId, (probe().jwtCalls.get(requestId) ?? 0) + 1);
        if (jwtThrows) throw new Error("checks: the jwt callback throws because CHECKS_JWT_THROWS=1");
        if (trigger === "update" && isRecord(session) && typeof session.name === "string") token.name = session.name;
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub }, lazyConfig: { call, withRequest: request !== undefined } };
      },
    },
    events: {
      signOut({ token }) {
        probe().signOuts.push({ configCall: call, sub: token?.sub });
      },
    },
  };
});
