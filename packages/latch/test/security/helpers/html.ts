/**
 * Reads a built-in page the way a browser would decide what to fetch: every URL in an attribute
 * that loads, links, submits or is fetched by the page's script, every `url()` and `@import` in
 * CSS, a meta refresh; and the Content-Security-Policy, directive by directive.
 */

/** One URL a page refers to, and where it stands. */
export interface PageReference {
  tag: string;
  attribute: string;
  url: string;
}

// Attributes whose value a browser loads, navigates to or submits to (and latch's passkey script fetches).
const URL_ATTRIBUTES = new Set(["src", "href", "action", "formaction", "poster", "data", "background", "cite", "longdesc", "manifest", "ping", "xlink:href", "data-options", "srcset", "imagesrcset"]);

const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi;

function decodeEntities(value: string): string {
  return value.replace(ENTITY, (_match, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? "";
  });
}

function cssUrls(css: string): string[] {
  const urls = [...css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/gi)].map((m) => m[2] ?? "");
  const imports = [...css.matchAll(/@import\s+(['"])(.*?)\1/gi)].map((m) => m[2] ?? "");
  return [...urls, ...imports];
}

/** Every URL the page refers to. */
export function pageReferences(html: string): PageReference[] {
  const out: PageReference[] = [];
  for (const tag of html.matchAll(/<([a-zA-Z][\w-]*)(\s[^>]*)?>/g)) {
    const name = (tag[1] ?? "").toLowerCase();
    const attributes = new Map<string, string>();
    for (const attribute of (tag[2] ?? "").matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attributes.set((attribute[1] ?? "").toLowerCase(), decodeEntities(attribute[2] ?? attribute[3] ?? attribute[4] ?? ""));
    }
    for (const [attribute, value] of attributes) {
      if (URL_ATTRIBUTES.has(attribute)) {
        const urls = attribute.endsWith("srcset") ? value.split(",").map((part) => part.trim().split(/\s+/)[0] ?? "") : [value];
        for (const url of urls) out.push({ tag: name, attribute, url });
      }
      if (attribute === "style") for (const url of cssUrls(value)) out.push({ tag: name, attribute: "style", url });
    }
    if (name === "meta" && attributes.get("http-equiv")?.toLowerCase() === "refresh") {
      const target = /url\s*=\s*['"]?([^'"]*)/i.exec(attributes.get("content") ?? "")?.[1];
      if (target !== undefined) out.push({ tag: name, attribute: "content", url: target });
    }
  }
  for (const style of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)) for (const url of cssUrls(style[1] ?? "")) out.push({ tag: "style", attribute: "css", url });
  return out;
}

/** The references that would reach another origin than `origin` (data: URLs stay in the page). */
export function thirdPartyReferences(html: string, origin: string): PageReference[] {
  return pageReferences(html).filter(({ url }) => {
    if (/^data:/i.test(url.trim())) return false;
    try {
      return new URL(url, origin).origin !== origin;
    } catch {
      return true;
    }
  });
}

/** The page's inline and external scripts: attributes and body. */
export function scriptsOf(html: string): Array<{ attributes: string; body: string }> {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => ({ attributes: m[1] ?? "", body: m[2] ?? "" }));
}

/** A Content-Security-Policy header as directive → sources. */
export function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/**
 * The sources of a CSP that allow another origin: hosts, wildcards, and the schemes that
 * reach the network (`https:`, `http:`, `ws:`…). Keywords, nonces and `data:` stay in the page.
 */
export function thirdPartySources(csp: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [directive, sources] of csp) {
    for (const source of sources) {
      const keyword = /^'(self|none|unsafe-inline|strict-dynamic|nonce-[A-Za-z0-9+/=_-]+|sha(256|384|512)-[A-Za-z0-9+/=_-]+)'$/.test(source);
      if (!keyword && source !== "data:") out.push(`${directive} ${source}`);
    }
  }
  return out;
}
