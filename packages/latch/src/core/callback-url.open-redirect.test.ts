/**
 * Regression corpus for open redirects through `callbackUrl` (GHSA-f9wg-5f46-cjmw,
 * GHSA-q2mx-j4x2-2h74, GHSA-g5fm-jp9v-2432 in next-auth; five more in better-auth). Every
 * payload that leaves the origin must come back as the bare base origin; every payload must
 * come back as an http(s) URL on the base origin, without throwing.
 */
import { describe, expect, it } from "vitest";
import { sameOriginUrl } from "./callback-url.js";

const BASE = "https://app.test";

/** Payloads whose target is another host, another scheme, or nothing usable. */
const FOREIGN: Record<string, string[]> = {
  "protocol-relative and slash tricks": [
    "//evil.test",
    "//evil.test/",
    "//evil.test/dashboard?x=1#y",
    "///evil.test",
    "////evil.test",
    "/\\evil.test",
    "\\/evil.test",
    "\\\\evil.test",
    "/\\/evil.test",
    "\\\\\\evil.test",
    "//evil.test\\@app.test",
    "//",
  ],
  "whitespace and control characters": [
    "/\t/evil.test",
    "/\n/evil.test",
    "/\r\n/evil.test",
    "/\t\\evil.test",
    "\t//evil.test",
    "\n//evil.test",
    " //evil.test",
    "  \r\n //evil.test  ",
    "\u0000//evil.test",
    "\u001f//evil.test",
    "//evil.test\u0000",
    "//evil\t.test",
    "//ev\nil.test",
  ],
  "scheme tricks": [
    "https:/\\evil.test",
    "https:\\\\evil.test",
    "https:///evil.test",
    "https:\\/evil.test",
    "http:evil.test",
    "http://evil.test",
    "https://evil.test",
    "HTTPS://EVIL.TEST",
    "hTtPs://evil.test/x",
    "HtTp://evil.test",
    "ftp://evil.test",
    "ws://app.test/socket",
    "wss://app.test/socket",
    "http://app.test/downgrade",
  ],
  "userinfo": [
    "http://app.test@evil.test",
    "https://app.test@evil.test",
    "https://app.test:443@evil.test",
    "https://app.test:pass@evil.test/x",
    "https://app.test%40evil.test",
    "https://evil.test%2F@app.test",
    "https://evil.test%2F%2F@app.test/",
    "https://evil.test%5C@app.test/",
    "https://evil.test@app.test",
    "https://user:pass@app.test/",
    "//app.test@evil.test",
    "/\\app.test@evil.test",
  ],
  "authority confusion": [
    "https://evil.test#@app.test",
    "https://evil.test?@app.test",
    "https://evil.test\\@app.test",
    "https://evil.test/app.test",
    "https://evil.test/https://app.test",
    "https://app.test.evil.test",
    "https://app.test%2eevil.test",
    "https://app.test./x",
    "https://app.test..",
  ],
  "dangerous schemes": [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "JAVASCRIPT:alert(document.cookie)",
    "jAvAsCrIpT:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    " javascript:alert(1)",
    "\u0001javascript:alert(1)",
    "javascript://app.test/%0aalert(1)",
    "javascript://%0Aalert(1)",
    "javascript:/\\app.test/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:,app.test",
    "vbscript:msgbox(1)",
    "VBScript:MsgBox(1)",
    "VBSCRIPT:x",
    "file:///etc/passwd",
    "file://app.test/etc/passwd",
    "about:blank",
    "mailto:someone@evil.test",
    "intent://evil.test#Intent;scheme=https;end",
    "blob:https://evil.test/3f1c",
  ],
  "unicode and IDN look-alikes": [
    "https://аpp.test",
    "https://app.tеst/x",
    "https://xn--pp-8kc.test",
    "https://app.test。evil.test",
    "https://app.test．evil.test",
    "https://evil．test",
    "//evil。test",
    "https://ａｐｐ.test.evil.test",
    "https://evil.test\u2044app.test",
  ],
  "ports and addresses": [
    "https://app.test:8443/x",
    "https://app.test:444",
    "https://app.test:0/",
    "https://app.test:65536/",
    "https://app.test:99999/",
    "https://app.test:-1/",
    "https://[::1]/",
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "https://localhost/",
  ],
  "unparsable": ["https://", "http://", "http://[", "https://app.test:port/", "https://ex ample.test/", "https://%zz/"],
};

describe("sameOriginUrl refuses every foreign spelling", () => {
  for (const [group, payloads] of Object.entries(FOREIGN)) {
    describe(group, () => {
      it.each(payloads)("%j → base origin", (payload) => {
        expect(sameOriginUrl(payload, BASE)).toBe(BASE);
      });
    });
  }
});

describe("sameOriginUrl refuses blob: URLs, whose origin is that of the URL they wrap", () => {
  it.each(["blob:https://app.test/3f1c", "BLOB:https://app.test/3f1c", "blob:https://app.test/"])("%j → base origin", (payload) => {
    expect(sameOriginUrl(payload, BASE)).toBe(BASE);
  });
});

describe("sameOriginUrl: generated combinations of separators, schemes and hosts", () => {
  const separators = ["//", "/\\", "\\/", "\\\\", "/\t/", "/\n/", "///", "\\\t\\"];
  const schemes = ["", "https:", "HTTPS:", "http:", "hTTp:"];
  const hosts = ["evil.test", "evil.test:443", "EVIL.TEST", "app.test@evil.test", "app.test:443@evil.test", "evil.test%2F@app.test", "app.test.evil.test", "аpp.test"];
  const combos: string[] = [];
  for (const scheme of schemes) for (const sep of separators) for (const host of hosts) combos.push(`${scheme}${sep}${host}/after?q=1#f`);

  it(`refuses all ${combos.length} combinations`, () => {
    const leaked = combos.filter((payload) => sameOriginUrl(payload, BASE) !== BASE);
    expect(leaked).toEqual([]);
  });
});

/** Payloads that look odd but resolve to a path on the base origin: kept, normalized. */
const KEPT: Array<[string, string]> = [
  ["/dashboard", "https://app.test/dashboard"],
  ["/a?b=c&d=e#f", "https://app.test/a?b=c&d=e#f"],
  ["https://app.test/x?y=1#z", "https://app.test/x?y=1#z"],
  ["//app.test/x", "https://app.test/x"],
  ["https:", "https://app.test/"],
  ["HTTPS://APP.TEST/X", "https://app.test/X"],
  ["https://app.test:443/x", "https://app.test/x"],
  ["https:evil.test", "https://app.test/evil.test"],
  ["https://app.test\\@evil.test", "https://app.test/@evil.test"],
  ["/%2F%2Fevil.test", "https://app.test/%2F%2Fevil.test"],
  ["/%5C%5Cevil.test", "https://app.test/%5C%5Cevil.test"],
  ["javascript%3Aalert(1)", "https://app.test/javascript%3Aalert(1)"],
  ["https://ａｐｐ.test/x", "https://app.test/x"],
  ["https://app．test/x", "https://app.test/x"],
  ["/\u2028//evil.test", "https://app.test/%E2%80%A8//evil.test"],
  ["/\u3000/evil.test", "https://app.test/%E3%80%80/evil.test"],
  ["/\u0000/evil.test", "https://app.test/%00/evil.test"],
  ["  /padded  ", "https://app.test/padded"],
  ["/x y", "https://app.test/x%20y"],
  ['/"><script>alert(1)</script>', "https://app.test/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"],
  ["../../../../etc/passwd", "https://app.test/etc/passwd"],
  ["#@evil.test", "https://app.test/#@evil.test"],
  ["?next=https://evil.test", "https://app.test/?next=https://evil.test"],
];

describe("sameOriginUrl keeps same-origin targets", () => {
  it.each(KEPT)("%j → %j", (payload, expected) => {
    expect(sameOriginUrl(payload, BASE)).toBe(expected);
  });
});

describe("sameOriginUrl: overly long input", () => {
  it("refuses a long protocol-relative string", () => {
    expect(sameOriginUrl(`//evil.test/${"a".repeat(10_000)}`, BASE)).toBe(BASE);
  });

  it("refuses a megabyte of repeated payloads without throwing", () => {
    expect(sameOriginUrl("//evil.test".repeat(100_000), BASE)).toBe(BASE);
  });

  it("refuses a long same-origin URL instead of redirecting to it", () => {
    expect(sameOriginUrl(`https://app.test/${"a".repeat(5000)}`, BASE)).toBe(BASE);
  });
});

describe("sameOriginUrl: the invariant over the whole corpus", () => {
  const all = [...Object.values(FOREIGN).flat(), ...KEPT.map(([payload]) => payload)];

  it.each([BASE, "http://localhost:3000", "https://app.test/api/auth"])("every result is an http(s) URL on the origin of %s, without userinfo", (base) => {
    const origin = new URL(base).origin;
    for (const payload of all) {
      const result = new URL(sameOriginUrl(payload, base));
      expect({ payload, origin: result.origin, protocol: result.protocol, userinfo: result.username + result.password }).toEqual({
        payload,
        origin,
        protocol: new URL(base).protocol,
        userinfo: "",
      });
    }
  });
});
