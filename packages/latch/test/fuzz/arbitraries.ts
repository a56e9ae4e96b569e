/**
 * Generators of hostile client input shared by the property suites: strings built from the
 * fragments parsers trip over, URL-ish strings assembled from components, and header values as
 * a server receives them.
 */
import * as fc from "fast-check";

/** Pieces that have broken parsers before: separators, quotes, bad escapes, controls, odd Unicode. */
export const TRICKY_FRAGMENTS = [
  "",
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\0",
  "\x7f",
  "=",
  "==",
  ";",
  ",",
  '"',
  "'",
  "\\",
  "/",
  "//",
  "|",
  "%",
  "%2",
  "%zz",
  "%25",
  "%3B",
  "%3D",
  "%00",
  "%0A",
  "%E0%A4%A",
  "%C0%AF",
  "%F0%9F%99%82",
  "%uD800",
  "é",
  "ß",
  "漢字",
  "🙂",
  "👩‍💻",
  "\uD800",
  "\uDFFF",
  "\u2028",
  "\uFEFF",
  "\u00A0",
  "\u3002",
  "@",
  "#",
  "?",
  "&",
  ":",
  ".",
  "..",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "<script>",
  "${x}",
  "null",
  "undefined",
  "Bearer",
  "bearer ",
  "authjs.session-token",
  "authjs.session-token.0",
  "__Secure-authjs.session-token.1",
  "authjs.csrf-token",
];

/** Any string made of tricky fragments and arbitrary Unicode (lone surrogates included). */
export function messyString(maxParts = 12): fc.Arbitrary<string> {
  const part = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY_FRAGMENTS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  );
  return fc.array(part, { maxLength: maxParts }).map((parts) => parts.join(""));
}

/**
 * False for strings with lone surrogates (String.prototype.isWellFormed, ES2024), which
 * `encodeURIComponent` and UTF-8 encoders refuse or replace.
 *
 * @example
 * ```ts
 * isWellFormed("\uD800"); // false
 * ```
 */
export function isWellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/** Characters a URL parser strips, skips or treats specially wherever they appear. */
const URL_NOISE = ["\t", "\n", "\r", " ", "\0", "\x1f", "\\", "%09", "%0a", "%2f", "%5c", "@", "#", "?", ".", "\u3002", "\uFF0F", "\u00AD"];

/** Inserts noise characters at arbitrary positions of a string. */
function withNoise(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...URL_NOISE)), { maxLength: 3 })).map(([value, insertions]) => {
    let out = value;
    for (const [at, noise] of insertions) {
      const index = out.length === 0 ? 0 : at % (out.length + 1);
      out = `${out.slice(0, index)}${noise}${out.slice(index)}`;
    }
    return out;
  });
}

/**
 * URL-ish strings assembled from a scheme, slashes, userinfo, host, port, path, query and
 * fragment, with noise inserted: `ownHosts` are the hosts the app lives on, so the strings mix
 * same-origin and cross-origin shapes.
 */
export function urlish(ownHosts: readonly string[]): fc.Arbitrary<string> {
  const scheme = fc.constantFrom(
    "",
    "",
    "http:",
    "https:",
    "HTTPS:",
    "HtTp:",
    "javascript:",
    "JaVaScRiPt:",
    "data:",
    "blob:",
    "blob:https:",
    "blob:http:",
    "file:",
    "ftp:",
    "ws:",
    "wss:",
    "mailto:",
    "vbscript:",
    " https:",
    "https%3A",
    "\x01https:",
  );
  const slashes = fc.constantFrom("", "/", "//", "///", "////", "\\", "\\\\", "/\\", "\\/", "/\t/", "%2F%2F", "%5C%5C", "/%2F", "/%5C");
  const host = fc.oneof(
    fc.constantFrom(...ownHosts),
    fc.constantFrom(
      "evil.test",
      "EVIL.test",
      "evil.test:443",
      "app.test.evil.test",
      "evil.test#.app.test",
      "evil.test?.app.test",
      "evil.test\\.app.test",
      "app.test@evil.test",
      "app.test%40evil.test",
      "app.test:@evil.test",
      "app\u3002test",
      "APP.TEST",
      "xn--pp-8cd.test",
      "аpp.test",
      "bücher.example",
      "xn--bcher-kva.example",
      "127.0.0.1",
      "0x7f.1",
      "2130706433",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "localhost",
      "%61pp.test",
      "app.test.",
      "",
    ),
    fc.domain(),
  );
  const userinfo = fc.constantFrom("", "", "", "user@", "user:pass@", "@", ":@", "evil.test@", "app.test@", "%40@");
  const port = fc.constantFrom("", "", "", ":80", ":443", ":3000", ":8443", ":0", ":65536", ":", ":abc");
  const path = fc.oneof(
    fc.constantFrom("", "/", "/dashboard", "/../..", "/%2e%2e/", "/..%2f..%2f", "/\\evil.test", "//evil.test", "/%0d%0aSet-Cookie:x=y", "/a?b#c"),
    fc.array(fc.webSegment(), { maxLength: 4 }).map((segments) => segments.map((s) => `/${s}`).join("")),
  );
  const query = fc.constantFrom("", "", "?a=1", "?next=//evil.test", "?callbackUrl=https://evil.test", "?%zz", "?");
  const fragment = fc.constantFrom("", "", "#x", "#//evil.test", "#@evil.test");
  const composed = fc
    .tuple(scheme, slashes, userinfo, host, port, path, query, fragment)
    .map(([s, sl, u, h, p, pa, q, f]) => `${s}${sl}${u}${h}${p}${pa}${q}${f}`);
  return fc.oneof(
    { weight: 6, arbitrary: withNoise(composed) },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    { weight: 1, arbitrary: messyString() },
  );
}

/**
 * A string as it reaches a server in a header: UTF-8 bytes read as Latin-1 (what `Headers` hold),
 * without the CR, LF and NUL that no HTTP stack lets through.
 *
 * @example
 * ```ts
 * headerSafe("é"); // "Ã©"
 * ```
 */
export function headerSafe(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1").replace(/[\r\n\0]/g, "");
}
