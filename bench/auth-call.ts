/**
 * `auth()` in one process, no server: the session read each library offers outside a request
 * scope, for a signed-in cookie. latch and next-auth: `auth(req, res)`, the Pages Router form
 * (App Router `auth()` needs Next's request scope), which decodes the session, runs the
 * callbacks and writes the renewed cookie to `res`; Better Auth: `auth.api.getSession({ headers })`.
 * Each library gets the options of its benchmark app (bench/apps/*) and a cookie its own code
 * minted; latch runs from its built dist, as the apps run it (rebuilt first when stale). Rounds
 * interleave the three; about 10 s in all.
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { betterAuth } from "better-auth";
import type { NextApiRequest, NextApiResponse } from "next";
import NextAuth from "next-auth";
import { encode as nextAuthEncode } from "next-auth/jwt";
import type * as LatchJwt from "../packages/latch/src/jwt.js";
import type * as LatchOidc from "../packages/latch/src/providers/oidc.js";
import { authOptions as betterAuthOptions } from "./apps/better-auth-proxy/auth-options.js";
import { buildLatch, childEnv, repoRoot, type BuildAction } from "./proxy/apps.js";
import { signInBetterAuth } from "./proxy/better-auth-cookie.js";
import { summary, type Summary } from "./stats.js";

const ROUNDS = 5;
const SLICE_MS = 400;
const WARMUP_MS = 300;
const secret = "bench-secret-bench-secret-bench-secret-0123";
const salt = "authjs.session-token";
const host = "127.0.0.1:3000";
const payload = {
  name: "Alice Example",
  email: "alice@example.com",
  picture: "https://avatars.githubusercontent.com/u/1?v=4",
  sub: "6f1c2a9e-3b7d-4e58-9a0c-2d4b6e8f1a3c",
};

/** Reads per second of each library, medians and ranges over the rounds. */
export interface AuthCallReport {
  latchReadsPerSec: Summary;
  nextAuthReadsPerSec: Summary;
  betterAuthReadsPerSec: Summary;
  /** latch's median over the other library's. */
  ratio: { nextAuth: number; betterAuth: number };
  calls: Record<"latch" | "nextAuth" | "betterAuth", string>;
  rounds: number;
  latchDist: BuildAction;
}

/**
 * The part of `latch/next` this benchmark calls. Its types are not imported: latch's Next layer
 * imports the bare "next/server", which only latch's own tsconfig declares.
 */
interface LatchNext {
  default: (config: { secret: string; trustHost: boolean; providers: unknown[] }) => {
    auth: (request: IncomingMessage, response: ServerResponse) => Promise<{ user?: { email?: string | null } } | null>;
  };
}

/** A module of latch's built dist, by its path under dist (`next/index.js`). */
function latchDist(file: string): string {
  return pathToFileURL(path.join(repoRoot, "packages", "latch", "dist", file)).href;
}

async function measure(operation: () => Promise<unknown>, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 8; i++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/**
 * A Node request carrying `cookie`, as the Pages Router hands it to an API route (`next start`
 * adds `x-forwarded-proto`; without it next-auth assumes https and reads `__Secure-` cookies).
 */
function requestWith(cookie: string): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.headers = { host, cookie, "x-forwarded-proto": "http" };
  request.url = "/api/me";
  return request;
}

/**
 * Measures `auth()` reads of a signed-in cookie for latch, next-auth and Better Auth; rejects
 * when a library does not return the signed-in user.
 *
 * @example
 * ```ts
 * const { ratio } = await benchAuthCall();
 * ```
 */
export async function benchAuthCall(): Promise<AuthCallReport> {
  const built = await buildLatch(childEnv({}));
  const { default: LatchNextAuth } = (await import(latchDist("next/index.js"))) as LatchNext;
  const { default: OIDC } = (await import(latchDist("providers/oidc.js"))) as typeof LatchOidc;
  const { encode: latchEncode } = (await import(latchDist("jwt.js"))) as typeof LatchJwt;
  const issuer = "http://127.0.0.1:9/bench";
  const latch = LatchNextAuth({
    secret,
    trustHost: true,
    providers: [OIDC({ id: "bench", name: "Bench", issuer, clientId: "bench", clientSecret: "bench" })],
  });
  const nextAuth = NextAuth({
    secret,
    trustHost: true,
    providers: [{ id: "bench", name: "Bench", type: "oidc", issuer, clientId: "bench", clientSecret: "bench" }],
  });
  const betterAuthInstance = betterAuth({ ...betterAuthOptions, secret, baseURL: `http://${host}`, logger: { disabled: true } });

  const latchRequest = requestWith(`${salt}=${await latchEncode({ token: payload, secret, salt })}`);
  const nextAuthRequest = requestWith(`${salt}=${await nextAuthEncode({ token: payload, secret, salt })}`);
  const betterAuthHeaders = new Headers({
    host,
    cookie: (await signInBetterAuth(secret)).map(({ name, value }) => `${name}=${value}`).join("; "),
  });

  const operations = {
    latch: async () => (await latch.auth(latchRequest, new ServerResponse(latchRequest)))?.user?.email,
    // next-auth reads only `headers` from the request and calls `appendHeader` on the response,
    // both of which Node's own objects have; its types ask for Next's extended ones.
    nextAuth: async () =>
      (await nextAuth.auth(nextAuthRequest as unknown as NextApiRequest, new ServerResponse(nextAuthRequest) as unknown as NextApiResponse))?.user?.email,
    betterAuth: async () => (await betterAuthInstance.api.getSession({ headers: betterAuthHeaders }))?.user.email,
  };
  type Name = keyof typeof operations;
  const names = Object.keys(operations) as Name[];
  for (const name of names) {
    const email = await operations[name]();
    if (email !== payload.email) throw new Error(`bench: ${name}'s auth() did not return the signed-in user (got ${String(email)}); not benchmarking`);
    await measure(operations[name], WARMUP_MS);
  }
  const samples: Record<Name, number[]> = { latch: [], nextAuth: [], betterAuth: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as Name;
      samples[name].push(await measure(operations[name], SLICE_MS));
    }
  }
  const latchReadsPerSec = summary(samples.latch);
  const nextAuthReadsPerSec = summary(samples.nextAuth);
  const betterAuthReadsPerSec = summary(samples.betterAuth);
  const ratio = (other: Summary): number => Math.round((latchReadsPerSec.median / other.median) * 10) / 10;
  return {
    latchReadsPerSec,
    nextAuthReadsPerSec,
    betterAuthReadsPerSec,
    ratio: { nextAuth: ratio(nextAuthReadsPerSec), betterAuth: ratio(betterAuthReadsPerSec) },
    calls: {
      latch: "auth(req, res) (Pages Router form: decode, callbacks, renewed cookie on res)",
      nextAuth: "auth(req, res) (Pages Router form: decode, callbacks, renewed cookie on res)",
      betterAuth: "auth.api.getSession({ headers }) (stateless: the session_data cookie cache)",
    },
    rounds: ROUNDS,
    latchDist: built,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify({ node: process.version, authCall: await benchAuthCall() }, null, 2)}\n`);
}
