/**
 * Property tests of `getToken` (`latch/jwt`), which reads a session token out of a request's
 * `Cookie` or `Authorization` header — given as `Headers` or as a Node-style record with any
 * key case and array values: it never rejects on a malformed request, finds nothing but a
 * genuine token, and finds the genuine token however it is chunked, encoded or sent.
 */
import * as fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encode, getToken } from "../../src/jwt.js";
import { headerSafe, messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";
import { applyEdit, tokenEdit } from "./token-mutations.js";

const SECRET = "get-token-fuzz-secret-0123456789abcdef0123";
const NAME = "authjs.session-token";
const CLAIMS = { sub: "user-1", name: "Alice" };

let genuine: string;
let other: string;

beforeAll(async () => {
  genuine = await encode({ token: CLAIMS, secret: SECRET, salt: NAME });
  other = await encode({ token: { sub: "user-2" }, secret: SECRET, salt: NAME });
});

type HeaderRecord = Record<string, string | string[] | undefined>;

/** The request headers in one of the shapes getToken takes: `Headers`, or a record as Node gives it. */
function requestWith(headers: Array<[string, string]>, shape: "headers" | "record" | "record-arrays", upper: boolean): { headers: Headers | HeaderRecord } {
  if (shape === "headers") return { headers: new Headers(headers.map(([name, value]): [string, string] => [name, headerSafe(value)])) };
  const record: HeaderRecord = {};
  for (const [name, value] of headers) record[upper ? name.toUpperCase() : name] = shape === "record-arrays" ? [value] : value;
  return { headers: record };
}

/** Splits a value into the chunk cookies `name.0`, `name.1`, … at the given cuts. */
function chunked(value: string, cuts: number[]): string {
  const points = [...new Set(cuts.map((cut) => cut % (value.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...points, value.length];
  return bounds
    .slice(1)
    .map((end, i) => `${NAME}.${i}=${value.slice(bounds[i], end)}`)
    .join("; ");
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const shape = fc.constantFrom("headers" as const, "record" as const, "record-arrays" as const);

describe("getToken", () => {
  it("never rejects on a malformed request and finds no token in edited or junk headers", async () => {
    const edited = fc
      .array(tokenEdit([""]), { minLength: 1, maxLength: 3 })
      .map((edits) => edits.reduce((token, edit) => applyEdit(token, edit, other), genuine))
      // An edit that only wraps a genuine token (spaces, `;`, quotes) leaves it readable, and a
      // splice can rebuild the other genuine token whole: those are not edits of its bytes.
      // headerSafe keeps the ASCII of a token as is and drops the CR, LF and NUL that `Headers` refuse.
      .filter((token) => ![token, percentDecoded(token)].map(headerSafe).some((t) => t.includes(genuine) || t.includes(other)));
    const cookie = fc.oneof(
      messyString(10),
      fc.tuple(edited, fc.array(fc.nat(), { maxLength: 3 })).map(([token, cuts]) => (cuts.length === 0 ? `${NAME}=${token}` : chunked(token, cuts))),
      edited.map((token) => `${NAME}=${encodeURIComponent(token)}; ${NAME}.0=${token}`),
    );
    const authorization = fc.oneof(
      messyString(6),
      edited.map((token) => `Bearer ${token}`),
      fc.constantFrom("Bearer %zz", "Bearer %E0%A4%A", "Bearer", "Bearer ", `bearer ${genuine}`, `Bearer  ${genuine}`, `Basic ${genuine}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.option(cookie), fc.option(authorization), shape, fc.boolean(), async (cookieValue, authorizationValue, form, upper) => {
        const headers: Array<[string, string]> = [];
        if (cookieValue !== null) headers.push(["cookie", cookieValue]);
        if (authorizationValue !== null) headers.push(["authorization", authorizationValue]);
        expect(await getToken({ req: requestWith(headers, form, upper), secret: SECRET, secureCookie: false })).toBeNull();
      }),
      fuzzRuns(400),
    );
  });

  it("finds the genuine token in its cookie (chunked, percent-encoded, quoted, among others) or a Bearer header", async () => {
    const stranger = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,12}$/), fc.stringMatching(/^[A-Za-z0-9%._-]{0,20}$/)).map(([name, value]) => `${name}=${value}`);
    const sent = fc.oneof(
      fc.tuple(fc.array(fc.nat(), { maxLength: 3 }), fc.constantFrom("plain", "encoded", "quoted"), fc.array(stranger, { maxLength: 3 })).map(([cuts, spelling, strangers]) => {
        const value = spelling === "encoded" ? encodeURIComponent(genuine).replace(/\./g, "%2E") : spelling === "quoted" ? `"${genuine}"` : genuine;
        const cookie = cuts.length === 0 || spelling === "quoted" ? `${NAME}=${value}` : chunked(genuine, cuts);
        return { cookie: [...strangers.filter((s) => !s.startsWith(NAME)), cookie].join("; "), authorization: undefined };
      }),
      fc.constantFrom(genuine, encodeURIComponent(genuine).replace(/\./g, "%2E")).map((token) => ({ cookie: undefined, authorization: `Bearer ${token}` })),
    );
    await fc.assert(
      fc.asyncProperty(sent, shape, fc.boolean(), async ({ cookie, authorization }, form, upper) => {
        const headers: Array<[string, string]> = [];
        if (cookie !== undefined) headers.push(["cookie", cookie]);
        if (authorization !== undefined) headers.push(["authorization", authorization]);
        expect(await getToken({ req: requestWith(headers, form, upper), secret: SECRET, secureCookie: false })).toMatchObject(CLAIMS);
      }),
      fuzzRuns(200),
    );
  });
});
