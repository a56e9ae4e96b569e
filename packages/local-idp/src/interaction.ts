import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { errorPage, loginPage, PAGE_CSP } from "./pages.js";

const MAX_FORM_BYTES = 16 * 1024;
/** Login names become `sub` and the local part of an e-mail address, so keep them URL- and mail-safe. */
const LOGIN_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Content-Security-Policy", PAGE_CSP);
  res.setHeader("Cache-Control", "no-store");
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error("local-idp: form body too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * Grants everything the pending request asks for, as a first-party IdP would:
 * tests and the demo must not have to click through a consent page.
 */
async function autoConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  interaction: Awaited<ReturnType<Provider["interactionDetails"]>>,
): Promise<void> {
  const { details } = interaction.prompt;
  const clientId = typeof interaction.params["client_id"] === "string" ? interaction.params["client_id"] : undefined;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId: interaction.session?.accountId, clientId });
  const scopes = stringList(details["missingOIDCScope"]);
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
  const claims = stringList(details["missingOIDCClaims"]);
  if (claims.length > 0) grant.addOIDCClaims(claims);
  const resourceScopes = details["missingResourceScopes"];
  if (typeof resourceScopes === "object" && resourceScopes !== null) {
    for (const [indicator, scope] of Object.entries(resourceScopes)) {
      grant.addResourceScope(indicator, stringList(scope).join(" "));
    }
  }
  const grantId = await grant.save();
  // A new grant must be announced; an updated one is already linked to the session.
  await provider.interactionFinished(req, res, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
}

/**
 * Serves `/interaction/:uid` (the login page, or automatic consent) and
 * `POST /interaction/:uid/login`. Returns false when the path is not an
 * interaction path, so the caller hands the request to oidc-provider.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(pathname);
  if (!match) return false;
  const [, uid, loginSuffix] = match;

  let interaction: Awaited<ReturnType<Provider["interactionDetails"]>>;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch (error) {
    // Usually an expired interaction or cookies the browser did not send back.
    sendHtml(res, 400, errorPage({ error: "invalid_request", error_description: error instanceof Error ? error.message : String(error) }));
    return true;
  }
  if (interaction.uid !== uid) {
    sendHtml(res, 400, errorPage({ error: "invalid_request", error_description: "interaction cookie does not match the URL" }));
    return true;
  }
  const clientId = typeof interaction.params["client_id"] === "string" ? interaction.params["client_id"] : "";
  const action = `/interaction/${encodeURIComponent(interaction.uid)}/login`;

  if (loginSuffix) {
    if (req.method !== "POST") {
      res.statusCode = 405;
      res.setHeader("Allow", "POST");
      res.end();
      return true;
    }
    const login = (await readForm(req)).get("login")?.trim() ?? "";
    if (!LOGIN_PATTERN.test(login)) {
      sendHtml(res, 400, loginPage({ action, clientId, error: "Use 1–64 letters, digits, dots, dashes or underscores." }));
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return true;
  }

  if (req.method !== "GET" && req.method !== "HEAD") {
    res.statusCode = 405;
    res.setHeader("Allow", "GET, HEAD");
    res.end();
    return true;
  }
  if (interaction.prompt.name === "consent") {
    await autoConsent(provider, req, res, interaction);
    return true;
  }
  sendHtml(res, 200, loginPage({ action, clientId }));
  return true;
}
