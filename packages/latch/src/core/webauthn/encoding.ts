/**
 * Byte encodings of WebAuthn values, without Buffer (the engine also runs on Edge runtimes).
 * Browsers and @simplewebauthn speak base64url; Auth.js stores credential ids and public keys in
 * standard base64, and latch stores them the same way so Auth.js databases keep working.
 */

/** Standard base64 of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Bytes of standard base64 or base64url; `undefined` when the text is neither. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  const unpadded = text.replace(/-/g, "+").replace(/_/g, "/").replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  const binary = atob(unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** base64url without padding, as WebAuthn JSON carries bytes. */
export function bytesToBase64url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A credential id as the browser sends it (base64url) → as the adapter stores it (base64). */
export function storedCredentialId(base64url: string): string | undefined {
  const bytes = base64ToBytes(base64url);
  return bytes && bytes.length > 0 ? bytesToBase64(bytes) : undefined;
}

/** A credential id as stored (base64) → as WebAuthn JSON carries it (base64url). */
export function wireCredentialId(stored: string): string {
  return bytesToBase64url(base64ToBytes(stored) ?? new Uint8Array());
}

/**
 * The transports WebAuthn names (`AuthenticatorTransport`, with "cable", the older name of
 * "hybrid"). Transports are hints for the browser: one latch does not know is of no use to it.
 */
const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

/**
 * The known transport names in `value`, each once, in their order; anything else is dropped.
 * `value` comes from the browser (a registration's `response.transports`) or from the database,
 * so it is checked, not trusted: a string, an object or an unknown name is ignored.
 *
 * @example
 * ```ts
 * knownTransports(["usb", { x: 1 }, "usb", "laser"]); // ["usb"]
 * knownTransports("internal"); // []
 * ```
 */
export function knownTransports(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const kept = new Set<string>();
  for (const item of value as unknown[]) if (typeof item === "string" && KNOWN_TRANSPORTS.has(item)) kept.add(item);
  return [...kept];
}

/** Auth.js stores transports comma-separated; only known names are kept ({@link knownTransports}). */
export function transportsToString(transports: unknown): string | null {
  const known = knownTransports(transports);
  return known.length > 0 ? known.join(",") : null;
}

/** The stored transports as a list of known names, or undefined when none is stored. */
export function stringToTransports(value: string | null | undefined): string[] | undefined {
  const known = knownTransports(value?.split(","));
  return known.length > 0 ? known : undefined;
}
