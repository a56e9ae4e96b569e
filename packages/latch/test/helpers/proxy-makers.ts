/**
 * Every proxy latch offers, built from one config and one environment: the lean `latch/proxy` on
 * each cryptography (the environment passed in) and `auth` from `latch/next` (the environment
 * stubbed into process.env: the test unstubs it, `afterEach(() => vi.unstubAllEnvs())`).
 */
import { vi } from "vitest";
import EngineNextAuth from "../../src/next/index.js";
import type { NextAuthConfig } from "../../src/next/types.js";
import { createProxyAuth } from "../../src/proxy/create-proxy-auth.js";
import { RUNTIMES, type ProxyFn } from "./proxy-requests.js";

/** A proxy's maker: what `describe.each` names, and how to build it. */
export type ProxyMaker = [name: string, make: (config: NextAuthConfig, env: Record<string, string>) => ProxyFn];

export const PROXY_MAKERS: ProxyMaker[] = [
  ...RUNTIMES.map(([name, jwe]): ProxyMaker => [`latch/proxy on ${name}`, (config, env) => createProxyAuth(config, { jwe, env: () => env }).auth]),
  [
    "latch/next",
    (config, env) => {
      for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
      return EngineNextAuth(config).auth;
    },
  ],
];
