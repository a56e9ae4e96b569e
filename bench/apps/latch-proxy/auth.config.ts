import type { NextAuthConfig } from "latch/next";

/**
 * What auth.ts and proxy.ts share (the split-config pattern): the part of the config the lean
 * proxy (latch/proxy) reads. Providers live in auth.ts; the proxy never signs anyone in.
 */
const authConfig = {
  providers: [],
  callbacks: {
    authorized: ({ auth }) => !!auth,
  },
} satisfies NextAuthConfig;

export default authConfig;
