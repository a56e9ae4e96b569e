/**
 * Random requests to latch's routes, described as plain data (so fast-check prints and shrinks
 * them) and turned into Web `Request`s: any method, path, query, hostile headers and bodies —
 * form-encoded, JSON, invalid, deeply nested, oversized, with prototype-pollution keys.
 */
import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { headerSafe, messyString, urlish } from "./arbitraries.js";
import { applyEdit, tokenEdit } from "./token-mutations.js";

/** One request, as data. */
export interface FuzzRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: string | undefined;
}

/** Session tokens a fuzzer may send, none of which may ever yield a session. */
export interface TokenMaterial {
  /** A valid token for the plain cookie name (`authjs.session-token`), mutated before use. */
  plain: string;
  /** A valid token for the `__Secure-` cookie name, mutated before use. */
  secure: string;
  /**
   * Tokens that are invalid as they are (another secret, expired) or under any name but
   * `notUnder`, the cookie name whose key they were issued with.
   */
  foreign: ReadonlyArray<{ token: string; notUnder: string }>;
}

const ROUTES = ["providers", "csrf", "session", "signin", "callback", "signout", "error", "verify-request", "webauthn-options", "token", "jwks", "revoke"];
const PROVIDERS = ["credentials", "github", "Credentials", "GITHUB", "webauthn", "email", "__proto__", "constructor", "toString", "%ZZ", "%E0%A4%A", "credentials%2F..", "%63redentials", "github%00"];
const SESSION_NAMES = ["authjs.session-token", "__Secure-authjs.session-token"];
const CSRF_NAMES = ["authjs.csrf-token", "__Host-authjs.csrf-token"];
const OTHER_COOKIE_NAMES = [
  "authjs.callback-url",
  "__Secure-authjs.callback-url",
  "authjs.pkce.code_verifier",
  "authjs.state",
  "authjs.nonce",
  "__Secure-authjs.state",
  "latch.bearer-fingerprint",
  "__Host-latch.bearer-fingerprint",
  "authjs.challenge",
  "__proto__",
  "constructor",
];
const POLLUTION_KEYS = ["__proto__", "constructor", "prototype", "__proto__[polluted]", "constructor[prototype][polluted]", "toString", "valueOf", "hasOwnProperty"];
const BODY_KEYS = ["csrfToken", "callbackUrl", "email", "password", "grant_type", "refresh_token", "token", "offline", "data", "code", "state", "redirect", "json"];

/** The CSRF token every fuzzed request may send: its genuine cookie is `csrfCookie(secret)`. */
export const CSRF_TOKEN = "c0ffee".repeat(10) + "c0de";

/** The genuine CSRF cookie value for `CSRF_TOKEN` under `secret`. */
export function csrfCookie(secret: string): string {
  return `${CSRF_TOKEN}|${createHash("sha256").update(`${CSRF_TOKEN}${secret}`).digest("hex")}`;
}

const hosts = ["app.test", "localhost:3000", "[::1]:8080", "xn--bcher-kva.example"];

/** A header value as a server receives it. */
const headerValue = (arbitrary: fc.Arbitrary<string>) => arbitrary.map(headerSafe);

function sessionTokens(material: TokenMaterial): fc.Arbitrary<Array<[string, string]>> {
  const edited = fc
    .tuple(fc.constantFrom(material.plain, material.secure), fc.array(tokenEdit([""]), { minLength: 1, maxLength: 3 }))
    .map(([token, edits]) => edits.reduce((current, edit) => applyEdit(current, edit, token === material.plain ? material.secure : material.plain), token))
    .filter((token) => token !== material.plain && token !== material.secure);
  const asChunks = (value: string, name: string, cuts: number[]): Array<[string, string]> => {
    const points = [...new Set(cuts.map((cut) => cut % (value.length + 1)))].sort((a, b) => a - b);
    const bounds = [0, ...points, value.length];
    return bounds.slice(1).map((end, i) => [`${name}.${i}`, value.slice(bounds[i], end)]);
  };
  const editedCookie = fc.tuple(edited, fc.constantFrom(...SESSION_NAMES), fc.array(fc.nat(), { maxLength: 3 })).map(([value, name, cuts]): Array<[string, string]> =>
    cuts.length === 0 ? [[name, value]] : asChunks(value, name, cuts),
  );
  const foreignCookie = fc.constantFrom(...material.foreign).chain(({ token, notUnder }) =>
    fc.constantFrom(...SESSION_NAMES.filter((name) => name !== notUnder)).map((name): Array<[string, string]> => [[name, token]]),
  );
  const junkCookie = fc.tuple(fc.constantFrom(...SESSION_NAMES, ...SESSION_NAMES.map((n) => `${n}.0`), ...SESSION_NAMES.map((n) => `${n}.1`)), messyString(6)).map((pair): Array<[string, string]> => [pair]);
  return fc.oneof(editedCookie, foreignCookie, junkCookie);
}

function cookieHeader(material: TokenMaterial, secrets: readonly string[]): fc.Arbitrary<string> {
  const csrf = fc.tuple(
    fc.constantFrom(...CSRF_NAMES),
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...secrets.map(csrfCookie)) }, { weight: 1, arbitrary: messyString(4) }, { weight: 1, arbitrary: fc.constant(`${CSRF_TOKEN}|${"0".repeat(64)}`) }),
  );
  const other = fc.tuple(fc.oneof(fc.constantFrom(...OTHER_COOKIE_NAMES), messyString(2)), fc.oneof(urlish(hosts), messyString(6), fc.stringMatching(/^[0-9a-f]{64}$/)));
  const pairs = fc.tuple(fc.array(csrf, { maxLength: 2 }), fc.option(sessionTokens(material)), fc.array(other, { maxLength: 4 }), fc.boolean());
  const structured = pairs.map(([csrfPairs, session, others, encode]) =>
    [...csrfPairs, ...(session ?? []), ...others].map(([name, value]) => `${name}=${encode ? encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "")) : value}`).join("; "),
  );
  const huge = fc.tuple(fc.constantFrom(...SESSION_NAMES), fc.integer({ min: 1, max: 40 })).map(([name, count]) =>
    Array.from({ length: count }, (_, i) => `${name}.${i}=${"A".repeat(3936)}`).join("; "),
  );
  return headerValue(fc.oneof({ weight: 8, arbitrary: structured }, { weight: 1, arbitrary: messyString(20) }, { weight: 1, arbitrary: huge }));
}

const jsonValueText = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"__proto__":null}', '[{"__proto__":{"polluted":1}}]'),
);

function bodyValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: messyString(6) },
    { weight: 4, arbitrary: urlish(hosts) },
    { weight: 2, arbitrary: fc.constant(CSRF_TOKEN) },
    { weight: 2, arbitrary: fc.constantFrom("refresh_token", "true", "false", "authorization_code", "1", "") },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `latch_rt_${hex}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n)) },
  );
}

const bodyKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...BODY_KEYS) }, { weight: 2, arbitrary: fc.constantFrom(...POLLUTION_KEYS) }, { weight: 1, arbitrary: messyString(2) });

const formBody = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(bodyKey, bodyValue()), { maxLength: 8 }).map((entries) => new URLSearchParams(entries).toString()) },
  messyString(12),
  fc.constantFrom("a=%zz&b=%E0%A4%A", "csrfToken=%", "&&&==&=", "__proto__[polluted]=yes&constructor[prototype][polluted]=yes"),
);

/** JSON object text written by hand, so `__proto__` and duplicate keys survive into the body. */
const jsonObject = fc
  .array(fc.tuple(bodyKey, fc.oneof(bodyValue().map((v) => JSON.stringify(v)), jsonValueText)), { maxLength: 8 })
  .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`);

/** JSON bodies: objects with hostile keys, other values, invalid text, deep nesting. */
const jsonBody = fc.oneof(
  { weight: 4, arbitrary: jsonObject },
  jsonValueText,
  fc.constantFrom("", "{", '{"a":}', "\uFEFF{}", "null", "[]", "1e999", '"csrfToken"', '{"csrfToken":["x"]}', '{"offline":true,"csrfToken":1}'),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `${'{"data":'.repeat(depth)}1${"}".repeat(depth)}`),
  fc.integer({ min: 1, max: 60_000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  messyString(12),
);

const contentType = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=utf-8",
      "APPLICATION/JSON ; charset=latin1",
      "application/json;",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("text/plain", "multipart/form-data; boundary=x", ";", "application/jsonx", "application/ld+json") },
  { weight: 1, arbitrary: messyString(3) },
);

/** Every route latch serves, with a provider of the right kind where the route takes one. */
const REAL_ROUTES = [
  "providers",
  "csrf",
  "session",
  "signin",
  "signin/credentials",
  "signin/github",
  "callback/credentials",
  "callback/github",
  "signout",
  "error",
  "verify-request",
  "webauthn-options/github",
  "token",
  "jwks",
  "revoke",
];

const path = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...REAL_ROUTES), fc.constantFrom("", "", "", "", "/")).map(([route, tail]) => `/api/auth/${route}${tail}`) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom("/api/auth", "/api/auth", "/api/auth", "/api//auth", "/API/auth", "/api/authx", "/api/auth/..", "/api/auth/%2e%2e", ""),
        fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ROUTES) }, { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "hasOwnProperty", "", "%73ession", "SESSION", "session%00") }, { weight: 1, arbitrary: fc.webSegment() }),
        fc.option(fc.oneof(fc.constantFrom(...PROVIDERS), fc.webSegment(), messyString(2)), { freq: 2 }),
        fc.constantFrom("", "", "/", "//", "/x"),
      )
      .map(([base, action, provider, tail]) => `${base}/${action}${provider === null ? "" : `/${provider}`}${tail}`),
  },
  { weight: 1, arbitrary: messyString(6).map((p) => `/${p}`) },
);

const queryKey = fc.oneof(fc.constantFrom("callbackUrl", "error", "code", "state", "iss", "csrfToken", "token", "callbackUrl[]", ...POLLUTION_KEYS), messyString(2));
const query = fc.oneof(
  fc.array(fc.tuple(queryKey, fc.oneof(urlish(hosts), messyString(4))), { maxLength: 5 }).map((entries) => (entries.length === 0 ? "" : `?${new URLSearchParams(entries).toString()}`)),
  messyString(6).map((raw) => `?${raw}`),
);

const optionalHeader = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<Array<[string, string]>> =>
  fc.option(headerValue(value), { freq: 2 }).map((v): Array<[string, string]> => (v === null ? [] : [[name, v]]));

/** A body and the content type it usually travels with (sometimes another one). */
const typedBody = fc.oneof(
  fc.tuple(formBody, fc.oneof({ weight: 4, arbitrary: fc.constant("application/x-www-form-urlencoded") }, { weight: 1, arbitrary: contentType })).map(([text, type]) => ({ kind: "form" as const, text, type })),
  fc.tuple(jsonBody, fc.oneof({ weight: 4, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType })).map(([text, type]) => ({ kind: "json" as const, text, type })),
);

/** Adds the CSRF token to a body the way a page of ours would send it, when the body has a place for it. */
function withCsrfToken(body: { kind: "form" | "json"; text: string }): string {
  if (body.kind === "form") return `csrfToken=${CSRF_TOKEN}&${body.text}`;
  if (!body.text.startsWith("{")) return body.text;
  return body.text === "{}" ? `{"csrfToken":"${CSRF_TOKEN}"}` : `{"csrfToken":"${CSRF_TOKEN}",${body.text.slice(1)}`;
}

const POST_ROUTES = ["session", "signin/credentials", "signin/github", "callback/credentials", "callback/github", "signout", "token", "revoke"];

/**
 * Random requests under `origins`; cookies carry edited or foreign session tokens from
 * `material`, and often the genuine CSRF cookie for `secret` with its token in the body, so
 * that requests get past the CSRF check into the actions. `postsWithCsrf` narrows them to
 * POSTs with a body and a genuine CSRF token, to the routes that take them.
 */
export function fuzzRequest(origins: readonly string[], material: TokenMaterial, secret: string, postsWithCsrf = false): fc.Arbitrary<FuzzRequest> {
  const headers = fc
    .tuple(
      optionalHeader("authorization", fc.oneof(messyString(4), fc.constant(`Bearer ${material.plain}`), fc.stringMatching(/^Bearer [A-Za-z0-9._~+/-]{1,40}={0,2}$/), fc.constantFrom("Basic dXNlcjpwYXNz", "Bearer", "Bearer a b"))),
      optionalHeader("origin", fc.oneof(fc.constantFrom(...origins, "null", "https://evil.test", "http://app.test:80"), messyString(3))),
      optionalHeader("sec-fetch-site", fc.oneof(fc.constantFrom("same-origin", "same-site", "cross-site", "none"), messyString(2))),
      optionalHeader("x-forwarded-host", fc.oneof(fc.constantFrom("app.test", "evil.test", "app.test, evil.test", "app.test:443", "[::1]:3000", "a b", "app.test/evil", "user@evil.test", "APP.TEST", "xn--bcher-kva.example", "bücher.example", "app.test:80"), messyString(3))),
      optionalHeader("x-forwarded-proto", fc.oneof(fc.constantFrom("https", "http", "HTTPS", "javascript", "https, http", "ftp"), messyString(2))),
      optionalHeader("x-forwarded-for", fc.oneof(fc.constantFrom("203.0.113.7", "::1", "203.0.113.7, 198.51.100.1", "[2001:db8::1]:443", "::ffff:203.0.113.7", "garbage"), messyString(3))),
      optionalHeader("host", fc.oneof(fc.constantFrom("app.test", "evil.test:8080", "app.test:80", "[::1]"), messyString(2))),
      optionalHeader("x-latch-bearer", fc.oneof(fc.constant("1"), messyString(2))),
      optionalHeader("x-auth-return-redirect", fc.constantFrom("1", "0", "true")),
      optionalHeader("content-length", fc.constantFrom("0", "-1", "abc", "1e9", "65537", "99999999999999999999", "5")),
    )
    .map((groups) => groups.flat());
  const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("GET", "POST") }, { weight: 1, arbitrary: fc.constantFrom("HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "post", "FOO") });
  return fc
    .record({
      origin: fc.constantFrom(...origins),
      path: postsWithCsrf ? fc.constantFrom(...POST_ROUTES).map((route) => `/api/auth/${route}`) : path,
      query,
      method: postsWithCsrf ? fc.constant("POST") : method,
      headers,
      cookie: fc.option(cookieHeader(material, [secret]), { freq: 3 }),
      body: postsWithCsrf ? typedBody : fc.option(typedBody, { freq: 4 }),
      withCsrf: postsWithCsrf ? fc.constant(true) : fc.boolean(),
    })
    .map(({ origin, path: p, query: q, method: m, headers: h, cookie, body, withCsrf }) => {
      const hasBody = m.toUpperCase() !== "GET" && m.toUpperCase() !== "HEAD" && body !== null;
      const csrfCookies = withCsrf ? CSRF_NAMES.map((name) => `${name}=${csrfCookie(secret)}`) : [];
      const cookieValue = [...csrfCookies, ...(cookie === null ? [] : [cookie])].join("; ");
      const all: Array<[string, string]> = [...h];
      if (cookieValue !== "") all.push(["cookie", cookieValue]);
      if (hasBody) all.push(["content-type", headerSafe(body.type)]);
      return {
        url: `${origin}${p}${q}`,
        method: m,
        headers: all,
        body: hasBody ? (withCsrf ? withCsrfToken(body) : body.text) : undefined,
      };
    });
}

/** The Web `Request` a fuzzed request describes. */
export function toRequest(request: FuzzRequest): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
}
