/**
 * Edits an attacker can make to a compact JWE without its key: flip characters or bytes in a
 * segment, truncate, insert, reorder, re-pad, re-encode, splice segments of another token. Used
 * to check that no edited token ever decodes.
 */
import * as fc from "fast-check";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** One edit, described as data so fast-check can print and shrink it. */
export type TokenEdit =
  | { op: "flip-char"; segment: number; at: number; char: string }
  | { op: "flip-byte"; segment: number; at: number; mask: number }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; text: string }
  | { op: "delete"; at: number; count: number }
  | { op: "double-dot"; which: number }
  | { op: "reorder"; order: number[] }
  | { op: "pad"; segment: number; padding: string }
  | { op: "standard-base64"; segment: number }
  | { op: "swap-case"; segment: number }
  | { op: "splice"; segments: boolean[] }
  | { op: "wrap"; before: string; after: string }
  | { op: "drop-segment"; segment: number }
  | { op: "extra-segment"; text: string }
  | { op: "replace-header"; header: string };

const segmentIndex = fc.constantFrom(0, 1, 2, 3, 4);

/** Arbitrary edits; `headers` are protected headers (base64url) to swap in, such as another key's. */
export function tokenEdit(headers: readonly string[]): fc.Arbitrary<TokenEdit> {
  return fc.oneof(
    fc.record({ op: fc.constant("flip-char" as const), segment: segmentIndex, at: fc.nat(), char: fc.constantFrom(...BASE64URL) }),
    fc.record({ op: fc.constant("flip-byte" as const), segment: segmentIndex, at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...BASE64URL, ".", "=", "+", "/", " ", "\n", "%2E", "..", "\u0000", "é") }),
    fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant("double-dot" as const), which: fc.nat(3) }),
    fc.record({ op: fc.constant("reorder" as const), order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }) }),
    fc.record({ op: fc.constant("pad" as const), segment: segmentIndex, padding: fc.constantFrom("=", "==", "===", "A", "AA", "A=") }),
    fc.record({ op: fc.constant("standard-base64" as const), segment: segmentIndex }),
    fc.record({ op: fc.constant("swap-case" as const), segment: segmentIndex }),
    fc.record({ op: fc.constant("splice" as const), segments: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }) }),
    fc.record({ op: fc.constant("wrap" as const), before: fc.constantFrom("", " ", '"', "\t", "Bearer "), after: fc.constantFrom("", " ", '"', "\n", ";", ".") }),
    fc.record({ op: fc.constant("drop-segment" as const), segment: segmentIndex }),
    fc.record({ op: fc.constant("extra-segment" as const), text: fc.constantFrom("", "A", "AAAA", "e30") }),
    fc.record({ op: fc.constant("replace-header" as const), header: fc.constantFrom(...headers) }),
  );
}

function editSegment(token: string, segment: number, edit: (part: string) => string): string {
  const parts = token.split(".");
  const part = parts[segment];
  if (part === undefined) return token;
  parts[segment] = edit(part);
  return parts.join(".");
}

/** Applies one edit; `other` is a second valid token whose segments a splice borrows. */
export function applyEdit(token: string, edit: TokenEdit, other: string): string {
  switch (edit.op) {
    case "flip-char":
      return editSegment(token, edit.segment, (part) => {
        if (part.length === 0) return edit.char;
        const at = edit.at % part.length;
        return `${part.slice(0, at)}${edit.char}${part.slice(at + 1)}`;
      });
    case "flip-byte":
      return editSegment(token, edit.segment, (part) => {
        const bytes = Buffer.from(part, "base64url");
        if (bytes.length === 0) return "AA";
        const at = edit.at % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ edit.mask;
        return bytes.toString("base64url");
      });
    case "truncate":
      return token.slice(0, edit.at % Math.max(token.length, 1));
    case "insert": {
      const at = edit.at % (token.length + 1);
      return `${token.slice(0, at)}${edit.text}${token.slice(at)}`;
    }
    case "delete": {
      const at = edit.at % Math.max(token.length, 1);
      return `${token.slice(0, at)}${token.slice(at + edit.count)}`;
    }
    case "double-dot": {
      let seen = -1;
      return token.replace(/\./g, (dot) => (++seen === edit.which ? ".." : dot));
    }
    case "reorder": {
      const parts = token.split(".");
      return edit.order.map((i) => parts[i] ?? "").join(".");
    }
    case "pad":
      return editSegment(token, edit.segment, (part) => `${part}${edit.padding}`);
    case "standard-base64":
      return editSegment(token, edit.segment, (part) => Buffer.from(part, "base64url").toString("base64"));
    case "swap-case":
      return editSegment(token, edit.segment, (part) => [...part].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""));
    case "splice": {
      const mine = token.split(".");
      const theirs = other.split(".");
      return mine.map((part, i) => (edit.segments[i] ? (theirs[i] ?? part) : part)).join(".");
    }
    case "wrap":
      return `${edit.before}${token}${edit.after}`;
    case "drop-segment":
      return token
        .split(".")
        .filter((_, i) => i !== edit.segment)
        .join(".");
    case "extra-segment":
      return `${token}.${edit.text}`;
    case "replace-header":
      return editSegment(token, 0, () => edit.header);
  }
}
