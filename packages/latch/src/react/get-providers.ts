import { authUrl, clientBasePath } from "./auth-url.js";
import { fetchJson } from "./fetch-json.js";
import type { ClientOptions, ClientSafeProvider } from "./types.js";

function isProvider(value: unknown): value is ClientSafeProvider {
  return typeof value === "object" && value !== null && "id" in value && typeof value.id === "string" && "type" in value && typeof value.type === "string";
}

/**
 * The configured providers by id, as `GET {basePath}/providers` lists them (for a custom
 * sign-in page); `null` when the server cannot be reached or answers an error.
 *
 * @example
 * ```ts
 * const providers = await getProviders();
 * for (const p of Object.values(providers ?? {})) console.log(p.id, p.name);
 * ```
 */
export async function getProviders(options: ClientOptions = {}): Promise<Record<string, ClientSafeProvider> | null> {
  try {
    const answer = await fetchJson(authUrl(clientBasePath(options.basePath), "providers"));
    if (!answer.ok || typeof answer.body !== "object" || answer.body === null) return null;
    const providers: Record<string, ClientSafeProvider> = {};
    for (const [id, provider] of Object.entries(answer.body)) if (isProvider(provider)) providers[id] = provider;
    return providers;
  } catch {
    return null;
  }
}
