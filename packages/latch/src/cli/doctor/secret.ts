import { MINIMUM_BITS, RECOMMENDED_BITS, fingerprint, measureSecret } from "./secret-strength.js";
import type { EnvMap, Finding } from "./types.js";

const GENERATE = "Run `npx latch secret --write .env.local` (32 random bytes) for development; for production set AUTH_SECRET to the output of `npx latch secret` in your host's environment settings.";

// As core/config.ts reads them: the highest-numbered AUTH_SECRET_n is the newest and encrypts.
const ROTATION = ["AUTH_SECRET_3", "AUTH_SECRET_2", "AUTH_SECRET_1"] as const;

function set(env: EnvMap, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function from(sources: Record<string, string>, name: string): string {
  const source = sources[name];
  return source ? ` (from ${source})` : "";
}

/**
 * How to put a new value in `name`: `latch secret --write` when it lives in an env file (it only
 * writes AUTH_SECRET), else by hand where the environment is defined.
 */
function replaceWith(name: string, source: string | undefined): string {
  if (name === "AUTH_SECRET" && source && source !== "process environment") return `Run \`npx latch secret --write ${source} --force\` to replace it with 32 random bytes.`;
  return `Set ${name} to the output of \`npx latch secret\` (32 random bytes) where ${source === "process environment" ? "the process environment is defined (your host's settings)" : "it is defined"}.`;
}

/** The findings for one secret variable: its strength, never its value. */
function checkOne(name: string, value: string, sources: Record<string, string>): Finding[] {
  const strength = measureSecret(value);
  const where = from(sources, name);
  // A guessable secret must not keep decrypting: sessions made with it may be forged, so everyone signs in again.
  const replace = `${replaceWith(name, sources[name])} Everyone is signed out once; do not keep the old value as AUTH_SECRET_n, since cookies made with it could be forged.`;
  // A merely short one can be rotated gently.
  const rotate = `${replaceWith(name, sources[name])} To keep current sessions, first move the old value to AUTH_SECRET_1 and put the new one in AUTH_SECRET_2.`;
  const findings: Finding[] = [];
  if (value !== value.trim()) {
    findings.push({
      code: "secret-whitespace",
      severity: "warn",
      area: "secret",
      message: `${name}${where} starts or ends with whitespace. latch uses it as is; a host that trims env values would derive other keys, and every session cookie would stop decrypting there.`,
      fix: `Remove the surrounding whitespace from ${name} (quote the value in the env file if it must keep it).`,
    });
  }
  switch (strength.flaw) {
    case "placeholder":
      return [...findings, { code: "secret-placeholder", severity: "error", area: "secret", message: `${name}${where} is a placeholder value (${strength.bytes} characters), not a secret: anyone who guesses it can forge session cookies.`, fix: replace }];
    case "repetitive":
      return [...findings, { code: "secret-repetitive", severity: "error", area: "secret", message: `${name}${where} repeats a short pattern (${strength.bytes} characters): it has almost no entropy, so session cookies can be forged.`, fix: replace }];
    case "phrase":
      return [...findings, { code: "secret-phrase", severity: "warn", area: "secret", message: `${name}${where} looks like words chosen by a person (${strength.bytes} characters): such phrases have far less entropy than their length suggests.`, fix: rotate }];
    case undefined:
      break;
  }
  if (strength.bits < MINIMUM_BITS) {
    return [...findings, { code: "secret-weak", severity: "error", area: "secret", message: `${name}${where} is too short: ${strength.bytes} characters hold at most ~${strength.bits} bits of entropy, below the ${MINIMUM_BITS} that resist offline guessing (recommended: ${RECOMMENDED_BITS}).`, fix: replace }];
  }
  if (strength.bits < RECOMMENDED_BITS) {
    return [...findings, { code: "secret-short", severity: "warn", area: "secret", message: `${name}${where} holds at most ~${strength.bits} bits of entropy (${strength.bytes} characters); latch derives 256-bit keys and recommends 32 random bytes.`, fix: rotate }];
  }
  return [...findings, { code: "secret-ok", severity: "ok", area: "secret", message: `${name}${where}: ${strength.bytes} characters, ~${strength.bits} bits if random; fingerprint ${fingerprint(value)}.` }];
}

/**
 * Checks AUTH_SECRET and its rotation list (AUTH_SECRET_1..3, NEXTAUTH_SECRET) as
 * `core/config.ts` reads them. Values are never printed: a length, an entropy estimate, and for
 * strong secrets a short fingerprint (for weak ones a fingerprint would give the value away).
 *
 * @example
 * ```ts
 * const findings = checkSecrets({ AUTH_SECRET: "changeme" }, {}); // [{ code: "secret-placeholder", … }]
 * ```
 */
export function checkSecrets(env: EnvMap, sources: Record<string, string>): Finding[] {
  const main = set(env, "AUTH_SECRET") ? "AUTH_SECRET" : set(env, "NEXTAUTH_SECRET") ? "NEXTAUTH_SECRET" : undefined;
  const names = [...ROTATION.filter((name) => set(env, name)), ...(main ? [main] : [])];
  if (names.length === 0) {
    return [
      {
        code: "secret-missing",
        severity: "error",
        area: "secret",
        message: "No AUTH_SECRET is set: every request to latch fails with MissingSecret, and no session cookie can be encrypted.",
        fix: GENERATE,
      },
    ];
  }
  const findings = names.flatMap((name) => checkOne(name, set(env, name) ?? "", sources));
  const auth = set(env, "AUTH_SECRET");
  const legacy = set(env, "NEXTAUTH_SECRET");
  if (auth && legacy && auth !== legacy) {
    findings.push({
      code: "secret-legacy-shadowed",
      severity: "warn",
      area: "secret",
      message: "AUTH_SECRET and NEXTAUTH_SECRET are both set and differ: latch uses AUTH_SECRET only, so cookies issued with NEXTAUTH_SECRET no longer decrypt.",
      fix: "To keep those sessions, set AUTH_SECRET_1 to the NEXTAUTH_SECRET value and AUTH_SECRET_2 to the new one; otherwise delete NEXTAUTH_SECRET.",
    });
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const value = set(env, name) ?? "";
    const earlier = seen.get(value);
    if (earlier) {
      findings.push({
        code: "secret-duplicate",
        severity: "warn",
        area: "secret",
        message: `${name} has the same value as ${earlier}: listing it twice rotates nothing.`,
        fix: `Delete ${name}, or give the newest AUTH_SECRET_n a new value (\`npx latch secret\`).`,
      });
    } else {
      seen.set(value, name);
    }
  }
  if (names.length > 1) {
    const [newest, ...older] = names;
    findings.push({
      code: "secret-rotation",
      severity: "ok",
      area: "secret",
      message: `Secret rotation: ${newest ?? ""} encrypts new sessions; ${older.join(", ")} still decrypt${older.length === 1 ? "s" : ""} existing ones. Remove the old ones once a session maxAge (30 days by default) has passed.`,
    });
  }
  return findings;
}
