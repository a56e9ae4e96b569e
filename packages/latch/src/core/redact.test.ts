import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CredentialsSignin } from "../errors.js";
import { createLogger } from "./logger.js";
import { REDACTED, redact, redactString } from "./redact.js";

const JWE = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..l3b5Gq3kM1XkYp9aQ.8gd8Ujs0xbYvVYWq_xb3Ug.Qm9ndXNfdGFn";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlX29mX3RoZV90b2tlbg";
const SESSION_TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
// next-auth v5's database session token: a UUID, too short for the 40-character rule.
const LEGACY_TOKEN = "3f2b8c1e-9a4d-4c2e-8b1f-2d6e7a9c0b11";
const USER_ID = "5f0c2a9e-1c2b-4d7e-9a55-0e7b1d2c3f4a";

describe("redactString", () => {
  it.each([
    ["a compact JWE", `cookie value ${JWE} was refused`, JWE],
    ["a compact JWS", `id_token ${JWT} failed`, JWT],
    ["a bearer credential", "Authorization: Bearer abc.def-ghi", "abc.def-ghi"],
    ["basic credentials", "Authorization: Basic bGF0Y2g6c2VjcmV0", "bGF0Y2g6c2VjcmV0"],
    ["a password in a URL", "connect postgres://app:hunter2pass@db:5432/app failed", "hunter2pass"],
    ["a code in a query string", "GET /api/auth/callback/github?code=abc123&state=xyz", "abc123"],
    ["a state in a query string", "GET /api/auth/callback/github?code=abc123&state=xyz789", "xyz789"],
    ["a token in JSON", '{"access_token":"short-one","token_type":"Bearer"}', "short-one"],
    ["a GitHub token", "GitHub said no to gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a latch refresh token", "reused latch_rt_0123abcd", "latch_rt_0123abcd"],
    ["a random session token (PostgreSQL's duplicate key detail)", `Key ("sessionToken")=(${SESSION_TOKEN}) already exists.`, SESSION_TOKEN],
  ])("removes %s", (_, text, secret) => {
    const out = redactString(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it("costs linear time on adversarial text (no catastrophic backtracking), and cuts very long lines", () => {
    // Each of these took seconds with patterns that could start a match anywhere in a run.
    const inputs = ["a.".repeat(100_000), "a-".repeat(100_000), "eyJ-".repeat(50_000), `x://${"a:".repeat(100_000)}`, "ghp_".repeat(50_000), `${"a".repeat(39)} `.repeat(5_000)];
    for (const input of inputs) {
      const started = performance.now();
      const out = redactString(input);
      // A generous bound: the quadratic versions took 4-17 s here; linear ones take milliseconds.
      expect(performance.now() - started, input.slice(0, 12)).toBeLessThan(1_000);
      expect(out.length).toBeLessThan(8_300);
    }
  });

  it.each([
    ["PostgreSQL's duplicate key detail", `Key ("sessionToken")=(${LEGACY_TOKEN}) already exists.`, `Key ("sessionToken")=(${REDACTED}) already exists.`],
    ["PostgreSQL's detail on a key of several columns (the whole list)", `Key ("userId", "sessionToken")=(42, ${LEGACY_TOKEN}) already exists.`, `Key ("userId", "sessionToken")=(${REDACTED}) already exists.`],
    ["PostgreSQL's foreign key detail", `Key (session_token)=(${LEGACY_TOKEN}) is still referenced from table "devices".`, `Key (session_token)=(${REDACTED}) is still referenced from table "devices".`],
    [
      "PostgreSQL's exclusion detail (both keys)",
      `Key (room, "sessionToken")=(1, ${LEGACY_TOKEN}) conflicts with existing key (room, "sessionToken")=(1, ${LEGACY_TOKEN}).`,
      `Key (room, "sessionToken")=(${REDACTED}) conflicts with existing key (room, "sessionToken")=(${REDACTED}).`,
    ],
    ["MySQL 8's duplicate entry (table.index)", `Duplicate entry '${LEGACY_TOKEN}' for key 'sessions.sessionToken'`, `Duplicate entry '${REDACTED}' for key 'sessions.sessionToken'`],
    ["MariaDB's duplicate entry (a named index)", `Duplicate entry '${LEGACY_TOKEN}' for key 'session_token_unique'`, `Duplicate entry '${REDACTED}' for key 'session_token_unique'`],
    ["a duplicate entry on Auth.js's PostgreSQL-style index name", `Duplicate entry '${LEGACY_TOKEN}' for key 'sessions_sessionToken_key'`, `Duplicate entry '${REDACTED}' for key 'sessions_sessionToken_key'`],
    ["name=value", `no session for sessionToken=${LEGACY_TOKEN} (expired)`, `no session for sessionToken=${REDACTED} (expired)`],
    ["name: value", `lookup failed, sessionToken: ${LEGACY_TOKEN}`, `lookup failed, sessionToken: ${REDACTED}`],
    ["snake case in a query string", `GET /api/session?session_token=${LEGACY_TOKEN}&x=1`, `GET /api/session?session_token=${REDACTED}&x=1`],
    ["JSON", `{"sessionToken":"${LEGACY_TOKEN}","userId":"${USER_ID}"}`, `{"sessionToken":"${REDACTED}","userId":"${USER_ID}"}`],
    ["an object as Node prints it", `{ sessionToken: '${LEGACY_TOKEN}', userId: '${USER_ID}' }`, `{ sessionToken: '${REDACTED}', userId: '${USER_ID}' }`],
    ["a cookie string", `theme=dark; authjs.session-token=${LEGACY_TOKEN}`, `theme=dark; authjs.session-token=${REDACTED}`],
    ["MySQL 8's duplicate primary key of Auth.js's session table", `Duplicate entry '${LEGACY_TOKEN}' for key 'session.PRIMARY'`, `Duplicate entry '${REDACTED}' for key 'session.PRIMARY'`],
    ["a header whose name ends in a credential's", `upstream said 401 to X-Auth-Token: ${LEGACY_TOKEN}`, `upstream said 401 to X-Auth-Token: ${REDACTED}`],
    ["a prefixed variable", `DB_PASSWORD=${LEGACY_TOKEN} AUTH_SECRET=${LEGACY_TOKEN}`, `DB_PASSWORD=${REDACTED} AUTH_SECRET=${REDACTED}`],
    ["an email sign-in's token", `verification-token:${LEGACY_TOKEN}`, `verification-token:${REDACTED}`],
  ])("removes a legacy UUID session token from %s, and only it", (_, text, expected) => {
    expect(redactString(text)).toBe(expected);
  });

  it("removes the whole password of a URL whose password (or user name) holds a raw `@`, as URL parsers read it", () => {
    const url = "smtp://apikey:p@ssw0rd-with-at@smtp.example.com:587";
    // WHATWG URL takes the last `@` of the authority as the end of the user info.
    expect(decodeURIComponent(new URL(url).password)).toBe("p@ssw0rd-with-at");
    expect(redactString(`connect failed: ${url}`)).toBe(`connect failed: smtp://apikey:${REDACTED}@smtp.example.com:587`);
    expect(redactString("smtp://alice@gmail.com:app-p@ss@smtp.gmail.com:587")).toBe(`smtp://alice@gmail.com:${REDACTED}@smtp.gmail.com:587`);
    expect(redactString("redis://:pw@ss@localhost:6379/0")).toBe(`redis://:${REDACTED}@localhost:6379/0`);
    // A password may hold a raw `?` or `#` (drivers take it as written): redacted to the `@` too.
    expect(redactString("postgres://app:hunter#42x@db.internal:5432/app")).toBe(`postgres://app:${REDACTED}@db.internal:5432/app`);
    expect(redactString("redis://:s3cr3t?pw@cache:6379")).toBe(`redis://:${REDACTED}@cache:6379`);
    // The user info ends before the path: an `@` in it is not a password's.
    for (const kept of ["see http://example.com/a@b.c", "https://alice@host:8080/x@y"]) expect(redactString(kept)).toBe(kept);
  });

  it.each([
    ["Token", `Authorization: Token ${LEGACY_TOKEN}`, `Authorization: Token ${REDACTED}`],
    ["ApiKey", `upstream said 401 to Authorization: ApiKey ${LEGACY_TOKEN} (retrying)`, `upstream said 401 to Authorization: ApiKey ${REDACTED} (retrying)`],
    ["Session", `authorization: session ${LEGACY_TOKEN}`, `authorization: session ${REDACTED}`],
    ["Proxy-Authorization", `Proxy-Authorization: Token ${LEGACY_TOKEN}`, `Proxy-Authorization: Token ${REDACTED}`],
    ["Digest's parameters", `Authorization: Digest username="bob", realm="api", nonce="dcd98b", uri="/", response="6629fae49393a05397450978507c4ef1", qop=auth`, `Authorization: Digest ${REDACTED}`],
    ["a Digest line cut inside a quoted value", `Authorization: Digest username="bob", response="6629fae4`, `Authorization: Digest ${REDACTED}`],
    ["JSON", `{"authorization":"Token ${LEGACY_TOKEN}","accept":"text/html"}`, `{"authorization":"Token ${REDACTED}","accept":"text/html"}`],
    ["JSON holding Digest's escaped quotes", `{"Authorization":"Digest username=\\"bob\\", response=\\"6629fae4\\"","accept":"*/*"}`, `{"Authorization":"Digest ${REDACTED}","accept":"*/*"}`],
    ["an object as Node prints it", `{ authorization: 'ApiKey ${LEGACY_TOKEN}', accept: 'text/html' }`, `{ authorization: 'ApiKey ${REDACTED}', accept: 'text/html' }`],
  ])("removes the credential of an Authorization header in any scheme: %s", (_, text, expected) => {
    expect(redactString(text)).toBe(expected);
  });

  it("costs linear time on near-misses of the Authorization credential", () => {
    const inputs = [`Authorization: x ${"a,".repeat(50_000)}`, `Authorization: x ${'a="'.repeat(30_000)}`, `"Authorization: "x ${"\\".repeat(50_000)}`, "Authorization: x ".repeat(8_000), `x://${"a@".repeat(50_000)}`, `x://a:${"@".repeat(50_000)}`];
    for (const input of inputs) {
      const started = performance.now();
      redactString(input);
      expect(performance.now() - started, input.slice(0, 20)).toBeLessThan(1_000);
    }
  });

  it("removes a short value a credential's name introduces, from 8 characters", () => {
    expect(redactString("login refused, password: hunter22")).toBe(`login refused, password: ${REDACTED}`);
    expect(redactString("X-API-Key = 'k3y-0f-ten'")).toBe(`X-API-Key = '${REDACTED}'`);
    expect(redactString("CSRF_TOKEN:abcdefgh|0a1b2c")).toBe(`CSRF_TOKEN:${REDACTED}`);
  });

  it("removes a database key value that holds the quote or parenthesis ending it, or runs to the end of the line", () => {
    expect(redactString("Key (token)=(abc) def-ghi) already exists.")).toBe(`Key (token)=(${REDACTED}) already exists.`);
    expect(redactString(`Key ("sessionToken")=(${LEGACY_TOKEN.slice(0, 20)}`)).toBe(`Key ("sessionToken")=(${REDACTED}`);
    expect(redactString(`Duplicate entry 'it's-${LEGACY_TOKEN}' for key 'uq_session_token'`)).toBe(`Duplicate entry '${REDACTED}' for key 'uq_session_token'`);
    // A line cut at 8 KB inside the value: redacted to the cut, and the note on the cut survives.
    expect(redactString(`Key ("sessionToken")=(${"a-".repeat(5_000)}) already exists.`)).toMatch(/^Key \("sessionToken"\)=\(\[redacted\]…\[1\d{3} more characters\]$/);
  });

  it("keeps ids, and short or absent values, where nothing says they are credentials", () => {
    const kept = [
      `Key (email)=(alice@example.com) already exists.`,
      `Key ("userId")=(${USER_ID}) is not present in table "users".`,
      `Key (provider, "providerAccountId")=(github, ${USER_ID}) already exists.`,
      `Duplicate entry '${USER_ID}' for key 'PRIMARY'`,
      `Duplicate entry 'alice@example.com' for key 'users.email'`,
      `userId=${USER_ID} sessionId: ${USER_ID}`,
      `token_type: bearer-token hashPassword: ${USER_ID}`,
      `Duplicate entry '${USER_ID}' for key 'users.PRIMARY'`,
      "token: short, refresh_token: undefined, password=[redacted]",
      "refresh-token-reused: signed out everywhere",
    ];
    for (const text of kept) expect(redactString(text)).toBe(text);
  });

  it("costs linear time on near-misses of the context patterns, and still redacts after them", () => {
    const inputs: Array<[string, string]> = [
      // Near-misses: a start with no end, or an end too far away.
      ["Key (".repeat(12_000), ""],
      [`Key (${"a ".repeat(30_000)}`, ""],
      [`${"Key (email)=(x) ".repeat(4_000)}`, ""],
      ["Duplicate entry '".repeat(3_600), ""],
      ["Duplicate entry 'x' for key 'PRIMARY' ".repeat(1_600), ""],
      [`${"token:".padEnd(16, " ")}x`.repeat(3_800), ""],
      ["sessionToken=short ".repeat(3_200), ""],
      ["session-session.token :x ".repeat(2_500), ""],
      // Matches that run to the cut.
      [`Key (token)=(${"Key (token)=(".repeat(4_600)}`, `Key (token)=(${REDACTED}`],
      [`sessionToken=${"a:".repeat(30_000)}`, `sessionToken=${REDACTED}`],
    ];
    for (const [input, redacted] of inputs) {
      const started = performance.now();
      const out = redactString(input);
      // As generous as the bound above: linear patterns take milliseconds here.
      expect(performance.now() - started, input.slice(0, 12)).toBeLessThan(1_000);
      const kept = out.slice(0, out.indexOf("…["));
      expect(kept, input.slice(0, 12)).toBe(redacted || input.slice(0, 8_192));
    }
  });

  it("removes a secret that straddles the cut, before cutting", () => {
    const secret = "s3cret-value-that-is-long-enough";
    const out = redactString(`${"x ".repeat(4090)}${secret}`, [secret]);
    expect(out).not.toContain(secret.slice(0, 10));
  });

  it("removes configured secrets wherever they appear, and leaves short ones alone", () => {
    expect(redactString("secret is my-app-secret-value!", ["my-app-secret-value"])).toBe(`secret is ${REDACTED}!`);
    expect(redactString("the word abc stays", ["abc"])).toBe("the word abc stays");
  });

  it("keeps what a log needs: ids, emails, error names, paths", () => {
    const text = "user 5f0c2a9e-1c2b-4d7e-9a55-0e7b1d2c3f4a (alice@example.com) CredentialsSignin at /api/auth/callback/credentials";
    expect(redactString(text)).toBe(text);
  });
});

describe("redact", () => {
  it("replaces values of credential keys at any depth, whatever their spelling", () => {
    const out = redact({
      user: { id: "u1", email: "a@b.c" },
      account: { access_token: "x", refreshToken: "y", "id-token": "z", provider: "github" },
      headers: { Cookie: "authjs.session-token=abc", Authorization: "Bearer t" },
      list: [{ password: "p" }, { client_secret: "s" }],
      empty: { password: "" },
    });
    expect(out).toEqual({
      user: { id: "u1", email: "a@b.c" },
      account: { access_token: REDACTED, refreshToken: REDACTED, "id-token": REDACTED, provider: "github" },
      headers: { Cookie: REDACTED, Authorization: REDACTED },
      list: [{ password: REDACTED }, { client_secret: REDACTED }],
      empty: { password: "" },
    });
  });

  it("replaces the value of a key whose name ends in a credential's after `_`, `-` or `.`, as the text rule reads the same names", () => {
    expect(redactString(`DB_PASSWORD=${LEGACY_TOKEN}`)).toBe(`DB_PASSWORD=${REDACTED}`);
    expect(redactString(`X-Auth-Token: ${LEGACY_TOKEN}`)).toBe(`X-Auth-Token: ${REDACTED}`);
    const out = redact({
      env: { DB_PASSWORD: "hunter2", EMAIL_SERVER_PASSWORD: "mail-pw", AUTH_GITHUB_SECRET: "gh-client-secret", EMAIL_SERVER_USER: "mailer" },
      smtp: { host: "smtp.example.com", smtp_password: "pw" },
      headers: new Headers({ "x-auth-token": LEGACY_TOKEN, "x-session-token": LEGACY_TOKEN, "x-goog-api-key": "k3y", accept: "text/html" }),
      jar: { "authjs.session-token": LEGACY_TOKEN, "__Host-authjs.csrf-token": "csrf", theme: "dark" },
    });
    expect(out).toEqual({
      env: { DB_PASSWORD: REDACTED, EMAIL_SERVER_PASSWORD: REDACTED, AUTH_GITHUB_SECRET: REDACTED, EMAIL_SERVER_USER: "mailer" },
      smtp: { host: "smtp.example.com", smtp_password: REDACTED },
      headers: { "x-auth-token": REDACTED, "x-session-token": REDACTED, "x-goog-api-key": REDACTED, accept: "text/html" },
      jar: { "authjs.session-token": REDACTED, "__Host-authjs.csrf-token": REDACTED, theme: "dark" },
    });
  });

  it("redacts camelCase keys that end in a credential's name (a password-change form's fields)", () => {
    const out = redact({ currentPassword: "hunter2", newPassword: "correct horse", smtpPassword: "pw", clientSecret: "cs", passwordHint: "the dog" });
    expect(out).toEqual({ currentPassword: REDACTED, newPassword: REDACTED, smtpPassword: REDACTED, clientSecret: REDACTED, passwordHint: "the dog" });
  });

  it("keeps keys that only contain a credential's name, or do not end in one, and booleans", () => {
    const kept = { token_type: "bearer", password_policy: "min 15", public_key: "pk", key: "k1", user_id: USER_ID, tokens_used: 3, has_password: true, is_secret: false };
    expect(redact(kept)).toEqual(kept);
  });

  it("keeps an error's class, type and code, and redacts its message, stack, cause and own properties", () => {
    const pg = Object.assign(new Error("duplicate key value violates unique constraint"), { detail: `Key ("sessionToken")=(${SESSION_TOKEN}) already exists.`, code: "23505" });
    const error = new CredentialsSignin(`refused ${JWT}`, { cause: pg });
    const out = redact(error);
    expect(out).toBeInstanceOf(CredentialsSignin);
    expect(out).not.toBe(error);
    expect(out.type).toBe("CredentialsSignin");
    expect(out.code).toBe("credentials");
    expect(out.message).toBe(`refused ${REDACTED}`);
    expect(out.stack).not.toContain(JWT);
    const cause = out.cause as Error & { detail: string; code: string };
    expect(cause).toBeInstanceOf(Error);
    expect(cause.detail).not.toContain(SESSION_TOKEN);
    expect(cause.code).toBe("23505");
    // The original is untouched: the app may still need it.
    expect(error.message).toContain(JWT);
  });

  it("copies a host error (DOMException) into a readable plain Error", () => {
    const timeout = new DOMException(`fetch of https://idp.test/token?code=abc timed out`, "TimeoutError");
    const out = redact(new Error("token request failed", { cause: timeout }));
    const cause = out.cause as Error;
    expect(cause.name).toBe("TimeoutError");
    expect(cause.message).toBe(`fetch of https://idp.test/token?code=${REDACTED} timed out`);
    expect(String(cause.stack)).not.toContain("code=abc");
  });

  it("survives cycles, deep nesting, and values that are not plain data", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { token: "t" };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const out = redact({ cyclic, deep, when: new Date(0), url: new URL(`https://app.test/cb?code=abc&x=1`), bytes: new Uint8Array(4), fn: () => 1, map: new Map([["password", "p"]]) });
    expect(out.cyclic.self).toBe(out.cyclic);
    expect(JSON.stringify(out.deep)).not.toContain('"t"');
    expect(out.when).toEqual(new Date(0));
    expect(out.url).toBe(`https://app.test/cb?code=${REDACTED}&x=1`);
    expect(out.bytes).toBe("[4 bytes]");
    expect(out.fn).toBe("[function]");
    expect(out.map).toEqual({ password: REDACTED });
  });

  it("never lets a random token through, whatever text surrounds it (property)", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{40,80}$/);
    const filler = fc.string({ maxLength: 40 }).map((text) => text.replace(/[A-Za-z0-9_-]/g, " "));
    fc.assert(
      fc.property(filler, token, filler, (before, secret, after) => {
        expect(redactString(`${before}${secret}${after}`)).not.toContain(secret);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 1) },
    );
  });
});

describe("createLogger", () => {
  it("hands the app's logger redacted errors, warnings and debug metadata, secrets included", () => {
    const seen: unknown[] = [];
    const secrets = ["app-secret-0123456789"];
    const logger = createLogger({ debug: true, logger: { error: (e) => seen.push(e), warn: (c) => seen.push(c), debug: (m, meta) => seen.push(m, meta) } }, () => secrets);
    logger.error(new Error(`decrypt failed with app-secret-0123456789 for ${JWE}`));
    logger.warn(`refresh-token-reused: latch_rt_abcdef0123`);
    logger.debug(`callback ${JWT}`, { tokens: { access_token: "a", refresh_token: "r" }, note: SESSION_TOKEN });
    const text = JSON.stringify(seen, (_, value: unknown) => (value instanceof Error ? `${value.message} ${value.stack ?? ""}` : value));
    for (const secret of ["app-secret-0123456789", JWE, JWT, "latch_rt_abcdef0123", SESSION_TOKEN, '"a"', '"r"']) expect(text).not.toContain(secret);
    expect(seen).toHaveLength(4);
  });

  it("hands the app's logger no value of a key ending in a credential's name in debug metadata", () => {
    const lines: unknown[] = [];
    const logger = createLogger({ debug: true, logger: { debug: (_message, metadata) => void lines.push(metadata) } });
    logger.debug("upstream request", { headers: { "X-Auth-Token": LEGACY_TOKEN }, env: { DATABASE_PASSWORD: "hunter22" } });
    expect(JSON.stringify(lines)).not.toContain(LEGACY_TOKEN);
    expect(JSON.stringify(lines)).not.toContain("hunter22");
  });

  it("drops debug lines unless debug is on", () => {
    const seen: unknown[] = [];
    createLogger({ logger: { debug: (m) => seen.push(m) } }).debug("x");
    expect(seen).toEqual([]);
  });
});
