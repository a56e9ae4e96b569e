/**
 * A stand-in authenticator: what a phone or a security key does in a WebAuthn ceremony, in
 * software, so the engine can be driven end to end without a browser. It keeps P-256 key pairs
 * (node:crypto), and builds the responses the WebAuthn spec defines: `clientDataJSON`,
 * authenticator data (RP ID hash, flags, signature counter, attested credential data with the
 * COSE public key) in an attestation object of format "none" for registration, and an ES256
 * signature over `authenticatorData || SHA-256(clientDataJSON)` for authentication. Every
 * field can be bent by a test (origin, RP ID, flags, counter, signature) to show the server
 * refuses it.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

/** A CBOR value, as far as WebAuthn needs: integers, text, bytes, and maps. */
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}

/** A tiny CBOR encoder (RFC 8949): unsigned and negative integers, byte and text strings, maps. */
export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new TypeError("stand-in CBOR encodes integers only");
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
  return Buffer.concat(parts);
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string): Buffer => createHash("sha256").update(data).digest();

/** Authenticator-data flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** A passkey the stand-in holds. */
export interface StandinCredential {
  id: Buffer;
  privateKey: KeyObject;
  /** The COSE_Key (EC2, P-256, ES256) of the public key. */
  cosePublicKey: Buffer;
  rpId: string;
  userHandle: Buffer;
  counter: number;
}

/** What a test may bend in one ceremony. */
export interface Bend {
  /** The origin the "browser" reports in clientDataJSON. Default: the stand-in's origin. */
  origin?: string;
  /** The RP ID whose hash goes into the authenticator data. Default: the RP ID of the options (or credential). */
  rpId?: string;
  /** The authenticator-data flags. Default UP | UV (| AT when registering). */
  flags?: number;
  /** The signature counter to report (authentication). Default: the next one. */
  counter?: number;
  /** The challenge to answer. Default: the one in the options. */
  challenge?: string;
  /** Flip a bit of the signature after signing. */
  tamperSignature?: boolean;
  /** How many bytes the new credential's id has (registration). Default 32. */
  credentialIdBytes?: number;
}

/** Registration options as the server sends them (the parts the stand-in reads). */
export interface CreationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: Array<{ id: string }>;
}

/** Authentication options as the server sends them (the parts the stand-in reads). */
export interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
  allowCredentials?: Array<{ id: string }>;
}

/**
 * A software authenticator bound to a browser origin.
 *
 * @example
 * ```ts
 * const device = new StandinAuthenticator("https://app.test");
 * const response = device.register(options);           // RegistrationResponseJSON
 * const assertion = device.authenticate(loginOptions); // AuthenticationResponseJSON
 * ```
 */
export class StandinAuthenticator {
  readonly credentials: StandinCredential[] = [];

  /**
   * @param origin what the "browser" reports as origin
   * @param counterStep how much the signature counter grows per use; 0 = no counter, as synced passkeys report
   */
  constructor(
    readonly origin: string,
    readonly counterStep = 1,
  ) {}

  /** Creates a passkey for the options (attestation "none") and returns the browser's JSON for it. */
  register(options: CreationOptionsJSON, bend: Bend = {}): Record<string, unknown> {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(b64url(c.id)))) throw new Error("stand-in: InvalidStateError (an excluded passkey is on this authenticator)");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const cosePublicKey = encodeCbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(String(jwk.x), "base64url")],
        [-3, Buffer.from(String(jwk.y), "base64url")],
      ]),
    );
    const credential: StandinCredential = { id: randomBytes(bend.credentialIdBytes ?? 32), privateKey, cosePublicKey, rpId, userHandle: Buffer.from(options.user.id, "base64url"), counter: 0 };
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: bend.challenge ?? options.challenge, origin: bend.origin ?? this.origin, crossOrigin: false }));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      this.rpHeader(bend.rpId ?? rpId, bend.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.AT, credential.counter),
      Buffer.alloc(16), // AAGUID: zeros, as for attestation "none"
      idLength,
      credential.id,
      cosePublicKey,
    ]);
    const attestationObject = encodeCbor(new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
    this.credentials.push(credential);
    const id = b64url(credential.id);
    return {
      id,
      rawId: id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * Signs the challenge with a passkey: the one named by `credentialId`, else one of the allowed
   * ones, else (usernameless) the newest for the RP ID.
   */
  authenticate(options: RequestOptionsJSON, bend: Bend = {}, credentialId?: string): Record<string, unknown> {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const candidates = this.credentials.filter((c) => (credentialId ? b64url(c.id) === credentialId : c.rpId === rpId && (allowed.size === 0 || allowed.has(b64url(c.id)))));
    const credential = candidates.at(-1);
    if (!credential) throw new Error("stand-in: no passkey for this relying party");
    credential.counter = bend.counter ?? credential.counter + this.counterStep;
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: bend.challenge ?? options.challenge, origin: bend.origin ?? this.origin, crossOrigin: false }));
    const authenticatorData = this.rpHeader(bend.rpId ?? rpId, bend.flags ?? FLAGS.UP | FLAGS.UV, credential.counter);
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    if (bend.tamperSignature) signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
    const id = b64url(credential.id);
    return {
      id,
      rawId: id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authenticatorData), signature: b64url(signature), userHandle: b64url(credential.userHandle) },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** RP ID hash, flags and signature counter: the first 37 bytes of authenticator data. */
  private rpHeader(rpId: string, flags: number, counter: number): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }
}
