/**
 * App-made codes (`generateVerificationToken`, six digits) on PostgreSQL: a newer code retires
 * the address's older ones, also when the sends come at the same moment (the per-address limit
 * allows five): a guess has one live code to hit, not one per send. Real PostgreSQL, through a
 * Pool, where replacements of one address take turns.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import Email from "../src/providers/email.js";
import type { AuthConfig, SendVerificationRequestParams } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requirePostgres, type PostgresNamespace } from "./helpers/services.js";

const ORIGIN = "https://app.test";
const SECRET = "email-code-race-secret-0123456789abcdef0123456789";
let pg: PostgresNamespace;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  pg = await requirePostgres();
  await migratePostgres(pg.pool);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pg?.drop();
});

function codeProvider(sent: SendVerificationRequestParams[], codes: string[]) {
  return Email({ sendVerificationRequest: (params) => void sent.push(params), generateVerificationToken: () => codes.shift()! });
}

async function liveCodes(identifier: string): Promise<number> {
  const { rows } = await pg.pool.query<{ n: string }>("SELECT count(*) AS n FROM verification_token WHERE identifier = $1", [identifier]);
  return Number(rows[0]!.n);
}

describe("PostgreSQL: one live app-made code per address", () => {
  it("five sends at once per address (the default per-address limit) leave one live code per address", async () => {
    // Four victims, five sends each, all at once: every address must be left with one live code.
    const victims = ["a", "b", "c", "d"].map((name) => `victim-burst-${name}@example.com`);
    const sent: SendVerificationRequestParams[] = [];
    const codes = Array.from({ length: 20 }, (_, i) => String(300000 + i));
    const config: AuthConfig = { secret: SECRET, adapter: PostgresAdapter(pg.pool), providers: [codeProvider(sent, codes)], session: { strategy: "jwt" }, logger: { error: () => undefined, warn: () => undefined } };
    const attacker = new EngineClient(ORIGIN, config);
    const csrfToken = await attacker.csrfToken();
    await Promise.all(victims.flatMap((victim) => Array.from({ length: 5 }, () => attacker.fetch("/api/auth/signin/email", { form: { csrfToken, email: victim } }))));
    expect(sent).toHaveLength(20);
    const live = Object.fromEntries(await Promise.all(victims.map(async (victim) => [victim, await liveCodes(victim)] as const)));
    expect(live).toEqual(Object.fromEntries(victims.map((victim) => [victim, 1])));
  });
});
