/**
 * base64url without node:buffer or jose, for the WebCrypto paths: `atob`/`btoa` exist in every
 * runtime latch runs on (Node.js ≥ 16, Edge, browsers). Callers check strictness first
 * (`isStrictBase64url` in jwe-fast.ts); these only convert.
 */

/**
 * Bytes (or a string, as UTF-8) to unpadded base64url.
 *
 * @example
 * ```ts
 * encodeBase64url(new Uint8Array([1, 2, 3])); // "AQID"
 * ```
 */
export function encodeBase64url(input: Uint8Array | string): string {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let binary = "";
  // In slices: String.fromCharCode(...bytes) overflows the stack on large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Unpadded base64url to bytes. Lenient like every decoder: check `isStrictBase64url` first.
 * Throws on characters outside the alphabet.
 *
 * @example
 * ```ts
 * decodeBase64url("AQID"); // Uint8Array [1, 2, 3]
 * ```
 */
export function decodeBase64url(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
