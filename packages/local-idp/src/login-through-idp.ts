const MAX_STEPS = 20;

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * Just enough of a browser cookie store for one IdP origin: name, value and
 * Path, which oidc-provider uses to scope its interaction cookies.
 */
class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const separator = pair.indexOf("=");
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key = "", attributeValue = ""] = attribute.split("=").map((part) => part.trim());
        const lowerKey = key.toLowerCase();
        if (lowerKey === "path" && attributeValue.startsWith("/")) path = attributeValue;
        if (lowerKey === "max-age" && Number(attributeValue) <= 0) expired = true;
        if (lowerKey === "expires" && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  header(pathname: string): string {
    return [...this.#cookies]
      .filter(([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join("; ");
  }
}

function formAction(html: string, pageUrl: URL): URL {
  const action = /<form\b[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error(`local-idp: no login form on ${pageUrl.href}`);
  return new URL(action.replaceAll("&amp;", "&"), pageUrl);
}

/**
 * Signs in through a local IdP without a browser: follows the authorization
 * request over plain HTTP with a cookie jar, submits the login form as `login`,
 * passes the automatic consent, and returns the redirect back to the client
 * (its `redirect_uri` with `code`, `state` and `iss`, or with `error`) without
 * following it. Throws when the IdP answers with anything but a redirect or
 * its login page, e.g. an error page for an unknown `redirect_uri`.
 *
 * @example
 * const callbackUrl = await loginThroughIdP(authorizationUrl.href, "bob");
 * const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), state);
 */
export async function loginThroughIdP(authorizationUrl: string, login = "alice"): Promise<string> {
  const jar = new CookieJar();
  const origin = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  let init: RequestInit = { method: "GET" };
  let submitted = false;

  for (let step = 0; step < MAX_STEPS; step++) {
    const headers = new Headers(init.headers);
    const cookie = jar.header(url.pathname);
    if (cookie) headers.set("Cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    jar.store(response);

    const location = response.headers.get("Location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const next = new URL(location, url);
      // Leaving the IdP's origin means this is the redirect to the client.
      if (next.origin !== origin) return next.href;
      url = next;
      init = { method: "GET" };
      continue;
    }

    const body = await response.text();
    if (response.status === 200 && !submitted && /\bname="login"/.test(body)) {
      url = formAction(body, url);
      init = {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ login }).toString(),
      };
      submitted = true;
      continue;
    }
    throw new Error(`local-idp: unexpected ${response.status} from ${url.href}: ${body.slice(0, 500)}`);
  }
  throw new Error(`local-idp: more than ${MAX_STEPS} redirects starting at ${authorizationUrl}`);
}
