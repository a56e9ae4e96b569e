import NextAuth, { type NextAuthConfig } from "latch/next";
import OIDC from "latch/providers/oidc";
import authConfig from "./auth.config";

/** The repository's local IdP, so the fixture signs in with no accounts anywhere. */
const providers: NextAuthConfig["providers"] = [
  OIDC({
    id: "local",
    name: "Local IdP",
    issuer: process.env.AUTH_LOCAL_ISSUER ?? "http://127.0.0.1:4000",
    clientId: "latch-demo",
    clientSecret: process.env.AUTH_LOCAL_SECRET ?? "latch-demo-secret",
  }),
];

/** The shared config (auth.config.ts) plus the providers: what pages, routes and actions use. */
export const { handlers, auth, signIn, signOut, requireSession, protect } = NextAuth({ ...authConfig, providers });
