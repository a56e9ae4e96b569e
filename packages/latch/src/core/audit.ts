/**
 * Audit events: one structured record per security-relevant event, handed to the app's `audit`
 * sink. Emitting never throws and never changes the outcome of the request; the sink is awaited
 * so that a sign-in is on record before its redirect leaves.
 */
import { EventError } from "../errors.js";
import type { AuditEvent, AuditRequest } from "../types.js";
import { clientAddress } from "./client-address.js";
import type { RequestContext, ResolvedConfig } from "./config.js";
import type { OutgoingCookie } from "./cookies.js";
import { constantTimeEqual, randomHex } from "./digest.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An audit event as the engine describes it; the time and request are added on emission. */
export type AuditDraft = DistributiveOmit<AuditEvent, "time" | "request">;

const MAX_USER_AGENT = 256;

/** What an audit event records of a request: the client address and the user agent. */
export function auditRequest(resolved: ResolvedConfig, request: Request | undefined): AuditRequest | undefined {
  if (!request) return undefined;
  const out: AuditRequest = {};
  try {
    const ip = clientAddress(request, resolved.config.rateLimit);
    if (ip !== undefined) out.ip = ip;
  } catch {
    // An app's clientAddress that throws costs the address, not the event.
  }
  const agent = request.headers.get("user-agent");
  if (agent) out.userAgent = agent.slice(0, MAX_USER_AGENT);
  return out;
}

/** True when the app listens to audit events. */
export function auditing(resolved: ResolvedConfig): boolean {
  return typeof resolved.config.audit === "function";
}

/**
 * Hands one event to the app's `audit` sink (and to the debug log). A sink that throws is
 * logged; the request goes on.
 */
export async function emitAudit(resolved: ResolvedConfig, draft: AuditDraft, request?: Request): Promise<void> {
  const sink = resolved.config.audit;
  if (!sink && !resolved.config.debug) return;
  const { type, ...rest } = draft;
  const where = auditRequest(resolved, request);
  // Values are latch's own ids and enums, not free text: nothing in them to redact.
  const event = { type, time: new Date().toISOString(), ...rest, ...(where ? { request: where } : {}) } as AuditEvent;
  resolved.logger.debug(`audit ${type}`, event);
  if (!sink) return;
  // Bounded like a store call: a sink that hangs must not hang sign-ins (or hold a refresh lock).
  const limit = resolved.config.storeTimeout === false ? undefined : (resolved.config.storeTimeout ?? AUDIT_TIMEOUT_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answered = Promise.resolve(sink(event)).then(() => "done" as const);
    const outcome = limit === undefined ? await answered : await Promise.race([answered, new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), limit)))]);
    if (outcome === "timeout") resolved.logger.error(new EventError(`The audit handler did not finish a "${type}" event within ${limit} ms; latch goes on without waiting.`));
  } catch (error) {
    resolved.logger.error(new EventError(`The audit handler threw on a "${type}" event; the event is lost.`, { cause: error }));
  } finally {
    clearTimeout(timer);
  }
}

/** How long a request waits for the audit sink by default: the stores' default deadline. */
const AUDIT_TIMEOUT_MS = 3000;

// ---- New devices --------------------------------------------------------------------------

/** How many users one browser's device cookie remembers (most recent first). */
const DEVICE_USERS = 8;
const TAG_LENGTH = 22;
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The keyed tag that says "this device signed in as this user", under one secret. */
async function deviceTag(secret: string, deviceId: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`latch.device\0${deviceId}\0${userId}`));
  return base64url(new Uint8Array(mac)).slice(0, TAG_LENGTH);
}

function parseDeviceCookie(value: string | undefined): { deviceId: string; tags: string[] } | undefined {
  if (!value) return undefined;
  const [deviceId, ...tags] = value.split(".");
  if (!deviceId || !/^[0-9a-f]{32}$/.test(deviceId)) return undefined;
  return { deviceId, tags: tags.filter((tag) => /^[A-Za-z0-9_-]+$/.test(tag) && tag.length === TAG_LENGTH).slice(0, DEVICE_USERS) };
}

/**
 * Whether this browser has signed in as `userId` before, by its device cookie: a random device
 * id and, per user, an HMAC tag under the secret (the cookie names no user and cannot be
 * forged for another). Returns the cookie to set, with this user's tag first.
 */
export async function recognizeDevice(ctx: RequestContext, cookies: Map<string, string>, userId: string): Promise<{ newDevice: boolean; deviceId: string; cookie: OutgoingCookie }> {
  const option = ctx.cookies.device;
  const parsed = parseDeviceCookie(cookies.get(option.name));
  const deviceId = parsed?.deviceId ?? randomHex(16);
  const tags = parsed?.tags ?? [];
  // Any secret still accepted vouches for a tag, so rotating AUTH_SECRET makes no device new.
  const expected = await Promise.all(ctx.secrets.map((secret) => deviceTag(secret, deviceId, userId)));
  const mine = (tag: string): boolean => expected.some((candidate) => constantTimeEqual(tag, candidate));
  const known = tags.some(mine);
  const others = tags.filter((tag) => !mine(tag));
  const value = [deviceId, expected[0]!, ...others].slice(0, DEVICE_USERS + 1).join(".");
  return { newDevice: !known, deviceId, cookie: { name: option.name, value, options: option.options } };
}
