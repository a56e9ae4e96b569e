/**
 * A provider's `error` code as it may be written into a message: quoted, cut to 100 characters,
 * with every control and line-separator character escaped, so a code the provider (or whoever
 * crafts a callback URL) chooses cannot forge a line in the server log (CWE-117).
 *
 * @example
 * ```ts
 * quotedErrorCode("access_denied\n[latch][error] forged"); // "\"access_denied\\n[latch][error] forged\""
 * ```
 */
export function quotedErrorCode(code: string): string {
  return JSON.stringify(code.slice(0, 100)).replace(/[\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
