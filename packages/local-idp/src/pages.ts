/**
 * HTML for every page the IdP renders. oidc-provider's built-in pages import a
 * Google font; these replace them so a browser test never reaches the Internet.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Inline styles only: the Content-Security-Policy sent with these pages
 * forbids every other source.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

/** Wraps trusted HTML in the shared page frame; `title` is escaped here. */
export function page(title: string, bodyHtml: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f5;margin:0;padding:48px 16px;color:#18181b}
main{max-width:320px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.25rem;margin:0 0 16px}
label{display:block;font-size:.875rem;margin-bottom:4px}
input[type=text]{box-sizing:border-box;width:100%;padding:8px;font-size:1rem;margin-bottom:16px;border:1px solid #d4d4d8;border-radius:4px}
button{width:100%;padding:10px;font-size:1rem;border:0;border-radius:4px;background:#18181b;color:#fff;cursor:pointer}
button+button{margin-top:8px;background:#71717a}
.error{color:#b91c1c;font-size:.875rem}
pre{white-space:pre-wrap;word-break:break-word;font-size:.8rem}
</style>
</head>
<body><main>${bodyHtml}</main></body>
</html>`;
}

/** The login form: any name signs in, "alice" is prefilled so a browser test only clicks. */
export function loginPage(options: { action: string; clientId: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : "";
  return page(
    "Sign in to the local IdP",
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(options.clientId)}</strong></p>
${error}<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
<label for="login">Username</label>
<input id="login" name="login" type="text" value="alice" required autofocus>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** oidc-provider's `renderError` output, a flat map of strings. */
export function errorPage(out: object): string {
  const rows = Object.entries(out)
    .map(([key, value]) => `<pre><strong>${escapeHtml(key)}</strong>: ${escapeHtml(typeof value === "string" ? value : JSON.stringify(value))}</pre>`)
    .join("");
  return page("Error", `<h1>Something went wrong</h1>${rows}`);
}

/** RP-initiated logout confirmation; `formHtml` is oidc-provider's own hidden form. */
export function logoutPage(host: string, formHtml: string): string {
  return page(
    "Sign out",
    `<h1>Sign out of ${escapeHtml(host)}?</h1>${formHtml}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

/** Shown after a logout request that carried no post_logout_redirect_uri. */
export function logoutSuccessPage(): string {
  return page("Signed out", "<h1>Signed out</h1><p>You have been signed out of the local IdP.</p>");
}
