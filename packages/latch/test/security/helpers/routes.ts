/**
 * Every route the suite's application serves under /api/auth, with the methods each answers:
 * the contract the attack classes iterate over. `routesOfEngine()` reads the same list out of
 * the engine's route table, so a route added to latch without being added here fails the suite.
 */
import { ROUTES } from "../../../src/core/handle-request.js";
import { resolveProviders } from "../../../src/core/providers.js";
import type { AuthConfig } from "../../../src/types.js";
import { BASE_PATH } from "./app.js";

export type Method = "GET" | "POST";

export interface RouteCase {
  /** e.g. `/api/auth/callback/credentials` */
  path: string;
  methods: readonly Method[];
  /** True when a POST here may sign in, sign out, change a session, send mail or issue a token. */
  stateChanging: boolean;
}

export const ROUTE_CONTRACT: readonly RouteCase[] = [
  { path: `${BASE_PATH}/providers`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/csrf`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/session`, methods: ["GET", "POST"], stateChanging: true },
  { path: `${BASE_PATH}/signin`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/signout`, methods: ["GET", "POST"], stateChanging: true },
  { path: `${BASE_PATH}/error`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/verify-request`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/token`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/jwks`, methods: ["GET"], stateChanging: false },
  { path: `${BASE_PATH}/revoke`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/signin/github`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/signin/credentials`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/signin/email`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/signin/passkey`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/callback/github`, methods: ["GET", "POST"], stateChanging: true },
  { path: `${BASE_PATH}/callback/credentials`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/callback/email`, methods: ["GET", "POST"], stateChanging: true },
  { path: `${BASE_PATH}/callback/passkey`, methods: ["POST"], stateChanging: true },
  { path: `${BASE_PATH}/webauthn-options/passkey`, methods: ["GET"], stateChanging: false },
];

/** The `METHOD path` pairs the engine's route table serves for this config's providers. */
export function routesOfEngine(config: AuthConfig): string[] {
  const providers = resolveProviders(config.providers, {}, { error: () => undefined, warn: () => undefined, debug: () => undefined });
  const out: string[] = [];
  for (const [action, route] of Object.entries(ROUTES)) {
    for (const method of Object.keys(route.plain ?? {})) out.push(`${method} ${BASE_PATH}/${action}`);
    for (const provider of providers) {
      for (const method of Object.keys(route.withProvider ?? {}) as Method[]) {
        const only = route.only?.[method];
        if (!only || only.includes(provider.type)) out.push(`${method} ${BASE_PATH}/${action}/${provider.id}`);
      }
    }
  }
  return out.sort();
}

/** The same pairs from the contract. */
export function routesOfContract(): string[] {
  return ROUTE_CONTRACT.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`)).sort();
}
