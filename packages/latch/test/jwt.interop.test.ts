/**
 * latch/jwt against the real next-auth/jwt (next-auth@5.0.0-beta.32, i.e. @auth/core 0.41.3's
 * jwt module) as an oracle: cookies next-auth issued must keep working after a migration, and
 * the other way round.
 */
import { describe, it, expect } from "vitest";
import { decode as nextAuthDecode, encode as nextAuthEncode, getToken as nextAuthGetToken } from "next-auth/jwt";
import { createSessionCodec, decode, encode, getToken } from "../src/jwt.js";
import type { JWT } from "../src/types.js";

const SALTS = ["authjs.session-token", "__Secure-authjs.session-token"] as const;
const SECRETS: Array<string | string[]> = ["a-single-secret-of-reasonable-length", ["new-secret-first", "old-secret-second"]];

const typical: JWT = { name: "Alice Example", email: "alice@example.com", picture: "https://avatars.githubusercontent.com/u/1?v=4", sub: "8b0f1c2e-8d44-4f6a-9d7e-1f2a3b4c5d6e", provider: "github" };
const payloads: JWT[] = [
  {},
  typical,
  { sub: "u", name: "Zoë Ünïcødé 漢字 🙂👩‍💻", note: "quotes \" and \\ and \u2028 and </script>" },
  { sub: "big", roles: Array.from({ length: 200 }, (_, i) => `role-${i}`), nested: { deep: { deeper: [1, 2.5, null, true, "x"] } } },
];

function describeSecret(secret: string | string[]): string {
  return Array.isArray(secret) ? `${secret.length} secrets` : "one secret";
}

describe.each(SALTS.flatMap((salt) => SECRETS.map((secret) => [salt, describeSecret(secret), secret] as const)))("salt %s, %s", (salt, _label, secret) => {
  it("decodes tokens next-auth issued, with decode and the session codec", async () => {
    for (const token of payloads) {
      const issued = await nextAuthEncode({ token, secret, salt });
      const viaDecode = await decode({ token: issued, secret, salt });
      const viaCodec = await createSessionCodec(secret, salt).decode(issued);
      const expected = await nextAuthDecode({ token: issued, secret, salt });
      expect(viaDecode).toEqual(expected);
      expect(viaCodec).toEqual(expected);
      expect(viaDecode).toMatchObject(token);
    }
  });

  it("issues tokens next-auth decodes, with encode and the session codec", async () => {
    for (const token of payloads) {
      const viaEncode = await encode({ token, secret, salt });
      const viaCodec = await createSessionCodec(secret, salt).encode(token, 3600);
      expect(await nextAuthDecode({ token: viaEncode, secret, salt })).toEqual(await decode({ token: viaEncode, secret, salt }));
      expect(await nextAuthDecode({ token: viaCodec, secret, salt })).toMatchObject({ ...token, exp: expect.any(Number) as unknown });
    }
  });

  it("writes the same header and token shape as next-auth", async () => {
    const ours = await encode({ token: typical, secret, salt });
    const theirs = await nextAuthEncode({ token: typical, secret, salt });
    expect(ours.split(".")[0]).toBe(theirs.split(".")[0]);
    expect(ours.length).toBe(theirs.length);
    const [a, b] = await Promise.all([decode({ token: ours, secret, salt }), nextAuthDecode({ token: theirs, secret, salt })]);
    expect(Object.keys(a ?? {})).toEqual(Object.keys(b ?? {}));
  });

  it("agrees with next-auth on what getToken finds in a request", async () => {
    const issued = await nextAuthEncode({ token: typical, secret, salt });
    const secureCookie = salt.startsWith("__Secure-");
    const req = new Request("http://app.test/", { headers: { cookie: `${salt}=${issued}` } });
    expect(await getToken({ req, secret, secureCookie })).toEqual(await nextAuthGetToken({ req, secret, secureCookie }));
  });
});

describe("secret rotation", () => {
  it("next-auth encrypts with secret[0]; latch decodes with either order of the list, and vice versa", async () => {
    const salt = SALTS[0];
    const issued = await nextAuthEncode({ token: { sub: "rotate" }, secret: ["s-new", "s-old"], salt });
    expect(await decode({ token: issued, secret: "s-new", salt })).toMatchObject({ sub: "rotate" });
    expect(await decode({ token: issued, secret: ["s-newer", "s-new"], salt })).toMatchObject({ sub: "rotate" });
    await expect(decode({ token: issued, secret: "s-old", salt })).rejects.toThrow(/No secret matches/);

    const ours = await encode({ token: { sub: "rotate" }, secret: ["s-new", "s-old"], salt });
    expect(await nextAuthDecode({ token: ours, secret: "s-new", salt })).toMatchObject({ sub: "rotate" });
    expect(await nextAuthDecode({ token: ours, secret: ["s-newer", "s-new"], salt })).toMatchObject({ sub: "rotate" });
    await expect(nextAuthDecode({ token: ours, secret: "s-old", salt })).rejects.toThrow();
  });

  it("refuses what next-auth refuses: another salt, a tampered token", async () => {
    const issued = await nextAuthEncode({ token: { sub: "x" }, secret: "s", salt: SALTS[0] });
    await expect(nextAuthDecode({ token: issued, secret: "s", salt: SALTS[1] })).rejects.toThrow();
    await expect(decode({ token: issued, secret: "s", salt: SALTS[1] })).rejects.toThrow();
    const tampered = `${issued.slice(0, -2)}${issued.endsWith("A") ? "Q" : "A"}A`;
    await expect(nextAuthDecode({ token: tampered, secret: "s", salt: SALTS[0] })).rejects.toThrow();
    expect(await createSessionCodec("s", SALTS[0]).decode(tampered)).toBeNull();
  });
});
