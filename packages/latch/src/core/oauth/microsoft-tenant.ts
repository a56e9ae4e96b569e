/**
 * Microsoft Entra ID's multi-tenant issuers. `https://login.microsoftonline.com/common/v2.0`
 * (and `organizations`, `consumers`) is not the issuer of any ID token: its discovery document
 * publishes the template `https://login.microsoftonline.com/{tenantid}/v2.0`, and each ID token
 * carries its user's tenant, `iss` = `https://login.microsoftonline.com/<tid>/v2.0` with `<tid>`
 * its `tid` claim. Microsoft documents that multi-tenant apps validate exactly that
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer).
 *
 * Only these configured issuers, and only Microsoft's template, get this treatment: every other
 * issuer is compared exactly, in discovery and in every ID token.
 */
import * as oauth from "oauth4webapi";
import { InvalidEndpoints } from "../../errors.js";

/** The issuer Microsoft's multi-tenant discovery documents publish. */
export const MICROSOFT_ISSUER_TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0";

/** The issuer of personal Microsoft accounts, which the `consumers` document may name instead. */
const MICROSOFT_CONSUMERS_ISSUER = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0";

const MULTI_TENANT_ISSUER = /^https:\/\/login\.microsoftonline\.com\/(common|organizations|consumers)\/v2\.0\/?$/;

/** A tenant id: a GUID, as Microsoft writes them (lower case). */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// oauth4webapi's hook for an issuer that depends on the token (it calls `as[hook](result)` where
// it would compare `iss` with `as.issuer`); exported by the module, not declared in its types.
const expectedIssuerHook: unknown = (oauth as unknown as Record<string, unknown>)._expectedIssuer;

/**
 * Whether `issuer` is one of Microsoft's multi-tenant issuers (`common`, `organizations`,
 * `consumers` at `login.microsoftonline.com`).
 *
 * @example
 * ```ts
 * isMicrosoftMultiTenantIssuer("https://login.microsoftonline.com/common/v2.0"); // true
 * isMicrosoftMultiTenantIssuer("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"); // false
 * ```
 */
export function isMicrosoftMultiTenantIssuer(issuer: string): boolean {
  return MULTI_TENANT_ISSUER.test(issuer);
}

/**
 * The issuer a discovery document fetched from `configured` must name. The configured issuer
 * itself, except for Microsoft's multi-tenant issuers, whose document may name the
 * `{tenantid}` template (or, for `consumers`, the personal-accounts tenant).
 *
 * @example
 * ```ts
 * const expected = discoveryIssuerOf(issuerUrl, await response.clone().json());
 * const as = await oauth.processDiscoveryResponse(expected, response);
 * ```
 */
export function discoveryIssuerOf(configured: URL, document: unknown): URL {
  if (!isMicrosoftMultiTenantIssuer(configured.href) || typeof document !== "object" || document === null || !("issuer" in document)) return configured;
  const named = document.issuer;
  if (named === MICROSOFT_ISSUER_TEMPLATE) return new URL(MICROSOFT_ISSUER_TEMPLATE);
  if (named === MICROSOFT_CONSUMERS_ISSUER && configured.pathname.startsWith("/consumers/")) return new URL(MICROSOFT_CONSUMERS_ISSUER);
  return configured;
}

/**
 * The `iss` an ID token of Microsoft's multi-tenant issuer must carry: the template with the
 * token's own `tid`; undefined when the token has no well-formed `tid` (then it is refused).
 *
 * @example
 * ```ts
 * tenantIssuerOf({ tid: "72f988bf-86f1-41af-91ab-2d7cd011db47" }); // "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
 * tenantIssuerOf({}); // undefined
 * ```
 */
export function tenantIssuerOf(claims: Record<string, unknown>): string | undefined {
  const tid = claims.tid;
  return typeof tid === "string" && TENANT_ID.test(tid) ? MICROSOFT_ISSUER_TEMPLATE.replace("{tenantid}", tid) : undefined;
}

function expectedTenantIssuer(result: { claims: Record<string, unknown> }): string {
  const issuer = tenantIssuerOf(result.claims);
  if (issuer === undefined) throw new Error('The ID token of Microsoft\'s multi-tenant issuer has no valid "tid" (tenant id) claim to check its "iss" against.');
  return issuer;
}

/**
 * Makes oauth4webapi validate the `iss` of every ID token of `as` (sign-in and refresh) as
 * `https://login.microsoftonline.com/<tid>/v2.0`, `<tid>` being the token's `tid`, when `as` is
 * the metadata of Microsoft's multi-tenant issuer. Any other `as` is returned untouched.
 *
 * @example
 * ```ts
 * const as = resolveTenantIssuer(await oauth.processDiscoveryResponse(expected, response), "microsoft-entra-id");
 * ```
 */
export function resolveTenantIssuer(as: oauth.AuthorizationServer, providerId: string): oauth.AuthorizationServer {
  if (as.issuer !== MICROSOFT_ISSUER_TEMPLATE) return as;
  if (typeof expectedIssuerHook !== "symbol") {
    throw new InvalidEndpoints(
      `Provider "${providerId}" uses a Microsoft multi-tenant issuer, whose ID tokens this version of oauth4webapi cannot validate. Set the issuer of your tenant, https://login.microsoftonline.com/<tenant id>/v2.0 (AUTH_MICROSOFT_ENTRA_ID_ISSUER), or install the oauth4webapi version latch depends on.`,
    );
  }
  Object.defineProperty(as, expectedIssuerHook, { value: expectedTenantIssuer, enumerable: false });
  return as;
}
