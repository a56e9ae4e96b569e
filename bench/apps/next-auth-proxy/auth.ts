import NextAuth, { type NextAuthResult } from "next-auth";

// The issuer is never contacted: the benchmark only reads sessions, it never signs in.
const result: NextAuthResult = NextAuth({
  providers: [{ id: "bench", name: "Bench", type: "oidc", issuer: "http://127.0.0.1:9/bench", clientId: "bench", clientSecret: "bench" }],
  callbacks: {
    authorized: ({ auth }) => !!auth,
  },
});

export const auth: NextAuthResult["auth"] = result.auth;
export const handlers: NextAuthResult["handlers"] = result.handlers;
