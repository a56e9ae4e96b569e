/**
 * A self-signed X.509 certificate for 127.0.0.1 and localhost, made at test time with node:crypto
 * alone: an ECDSA P-256 key, and the certificate's DER written out by hand (the handful of ASN.1
 * types a certificate needs). node:crypto parses certificates but cannot issue one; this avoids
 * both a dependency and the `openssl` binary.
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const octets = (content: Buffer) => tlv(0x04, content);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));

function integer(bytes: Buffer): Buffer {
  // DER integers are minimal (no leading zero byte but one that keeps the sign) and signed (a
  // leading 1 bit needs a zero byte in front). A random serial starts with a zero byte once in
  // 256 issues: left in, OpenSSL refuses the certificate ("illegal padding").
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tlv(0x02, minimal[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const two = (n: number) => String(n).padStart(2, "0");
  const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export interface SelfSigned {
  key: string;
  cert: string;
  /** The parsed certificate, to check what was issued. */
  x509: X509Certificate;
}

/** Issues a certificate valid for an hour, for IP 127.0.0.1 and DNS localhost. */
export function selfSignedCertificate(): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(set(sequence(oid("2.5.4.3"), utf8("latch security suite"))));
  const serial = randomBytes(16);
  const now = Date.now();
  const subjectAltName = sequence(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from("localhost", "ascii")));
  const extensions = explicit(
    3,
    sequence(
      sequence(oid("2.5.29.19"), boolean(true), octets(sequence())), // basicConstraints: not a CA
      sequence(oid("2.5.29.17"), octets(subjectAltName)),
    ),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 3_600_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const certificate = sequence(tbs, ecdsaWithSha256, bitString(sign("sha256", tbs, privateKey)));
  const cert = pem("CERTIFICATE", certificate);
  const x509 = new X509Certificate(cert);
  if (!x509.verify(publicKey) || x509.checkIP("127.0.0.1") === undefined) throw new Error("self-signed: the generated certificate does not verify for 127.0.0.1");
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert, x509 };
}
