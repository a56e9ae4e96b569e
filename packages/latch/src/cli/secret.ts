import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** A new secret: 32 random bytes (256 bits), base64 — what AUTH_SECRET expects. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64");
}

/**
 * Writes `AUTH_SECRET=…` to an env file. An existing AUTH_SECRET is kept unless `force`:
 * replacing it would sign every user out.
 */
export function writeSecret(file: string, secret: string, force = false): "written" | "kept" {
  const content = existsSync(file) ? readFileSync(file, "utf8") : "";
  const line = /^AUTH_SECRET=.*$/m;
  if (line.test(content)) {
    if (!force) return "kept";
    writeFileSync(file, content.replace(line, `AUTH_SECRET="${secret}"`), { mode: 0o600 });
    return "written";
  }
  const separator = content === "" || content.endsWith("\n") ? "" : "\n";
  writeFileSync(file, `${content}${separator}AUTH_SECRET="${secret}" # written by \`latch secret\`\n`, { mode: 0o600 });
  return "written";
}
