/** Reading latch's email landing page (the "Continue" form a sign-in link opens) in tests. */

const unescapeHtml = (value: string) => value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** The landing page's POST form: where it goes and its hidden fields. Throws when the page has none. */
export function landingForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"[^>]*method="POST"/.exec(html)?.[1];
  if (!action) throw new Error("the landing page has no form");
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[unescapeHtml(name!)] = unescapeHtml(value!);
  return { action: unescapeHtml(action), fields };
}
