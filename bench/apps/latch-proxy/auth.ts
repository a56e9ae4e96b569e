import NextAuth, { type NextAuthResult } from "latch/next";
import OIDC from "latch/providers/oidc";
import authConfig from "#auth-config";

// The issuer is never contacted: the benchmark only reads sessions, it never signs in.
const result: NextAuthResult = NextAuth({
  ...authConfig,
  providers: [OIDC({ id: "bench", name: "Bench", issuer: "http://127.0.0.1:9/bench", clientId: "bench", clientSecret: "bench" })],
});

export const auth: NextAuthResult["auth"] = result.auth;
export const handlers: NextAuthResult["handlers"] = result.handlers;
