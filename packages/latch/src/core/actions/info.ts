import type { ActionContext } from "../action-context.js";
import { errorPage, pageLanguage, verifyRequestPage } from "../pages/index.js";
import type { ResponseInternal } from "../response.js";

/** `GET /providers`: what next-auth/react's `getProviders()` reads. */
export function providersAction(action: ActionContext): ResponseInternal {
  const { ctx } = action;
  const body: Record<string, { id: string; name: string; type: string; signinUrl: string; callbackUrl: string }> = {};
  for (const p of ctx.resolved.providers) {
    body[p.id] = { id: p.id, name: p.name, type: p.type, signinUrl: `${ctx.authUrl}/signin/${p.id}`, callbackUrl: `${ctx.authUrl}/callback/${p.id}` };
  }
  return { body, cookies: action.baseCookies };
}

/** `GET /csrf`: the token forms and the client send back; sets the cookie when needed. */
export function csrfAction(action: ActionContext): ResponseInternal {
  return { body: { csrfToken: action.csrf.token }, cookies: action.baseCookies };
}

/** `GET /error`: the built-in error page (or a redirect to `pages.error`). */
export function errorAction(action: ActionContext): ResponseInternal {
  const { ctx } = action;
  const error = action.query.get("error") ?? undefined;
  if (ctx.resolved.pages.error) {
    const target = new URL(ctx.resolved.pages.error, ctx.origin);
    if (error) target.searchParams.set("error", error);
    return { redirect: target.href, cookies: action.baseCookies };
  }
  const language = pageLanguage(ctx.resolved.locales, action.request.headers);
  return { ...errorPage({ error, authUrl: ctx.authUrl, theme: ctx.resolved.theme, language }), cookies: action.baseCookies };
}

/** `GET /verify-request`: "check your email". */
export function verifyRequestAction(action: ActionContext): ResponseInternal {
  const { ctx } = action;
  if (ctx.resolved.pages.verifyRequest) {
    const target = new URL(ctx.resolved.pages.verifyRequest, ctx.origin);
    for (const [key, value] of action.query) target.searchParams.set(key, value);
    return { redirect: target.href, cookies: action.baseCookies };
  }
  const language = pageLanguage(ctx.resolved.locales, action.request.headers);
  return { ...verifyRequestPage({ origin: ctx.origin, theme: ctx.resolved.theme, language }), cookies: action.baseCookies };
}
