/**
 * What every provider-token store shares: the same refusals for values the others could not
 * keep, and (for the SQL stores) one mapping from a row to stored tokens.
 */
import type { ProviderTokens, StoredProviderTokens } from "../provider-tokens/types.js";

/** A `latch_provider_tokens` row as a SQL driver returns it (integers may come back as strings or bigints). */
export interface ProviderTokenRow {
  access_token: string;
  refresh_token: string | null;
  expires_at: string | number | bigint | null;
  scope: string | null;
  token_type: string | null;
  error: string | null;
  version: string | number | bigint;
}

/** The stored tokens of a row; absent columns stay absent fields. */
export function storedOfRow(row: ProviderTokenRow): StoredProviderTokens {
  const stored: StoredProviderTokens = { accessToken: row.access_token, version: Number(row.version) };
  if (row.refresh_token !== null) stored.refreshToken = row.refresh_token;
  if (row.expires_at !== null) stored.expiresAt = Number(row.expires_at);
  if (row.scope !== null) stored.scope = row.scope;
  if (row.token_type !== null) stored.tokenType = row.token_type;
  if (row.error === "RefreshTokenError") stored.error = row.error;
  return stored;
}

/** Refuses what the other stores could not keep: the same errors from every store. */
export function checkPut(tokens: ProviderTokens, expectedVersion: number | null): void {
  if (expectedVersion !== null && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)) {
    throw new RangeError(`latch: the expected version must be null or a positive integer, got ${expectedVersion}`);
  }
  if (tokens.expiresAt !== undefined && !Number.isSafeInteger(tokens.expiresAt)) {
    throw new RangeError(`latch: expiresAt must be a whole number of seconds, got ${tokens.expiresAt}`);
  }
}

/** Refuses a lock lifetime that is not a positive number of milliseconds. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`latch: the lock's ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
}
