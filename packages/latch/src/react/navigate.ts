/**
 * True when going from `current` to `target` is only a fragment change: the browser would then
 * scroll instead of loading the page, and a sign-in or sign-out needs the page loaded again.
 *
 * @example
 * ```ts
 * needsReload("http://app/a", "http://app/a#top"); // true
 * ```
 */
export function needsReload(current: string, target: string): boolean {
  const to = new URL(target, current).href;
  const hash = to.indexOf("#");
  if (hash === -1) return false;
  return to.slice(0, hash) === new URL(current).href.split("#")[0];
}

/**
 * Loads `url` in this tab, reloading when only the fragment differs from the current URL.
 *
 * @example
 * ```ts
 * navigate("/dashboard");
 * ```
 */
export function navigate(url: string): void {
  const reload = needsReload(window.location.href, url);
  window.location.assign(url);
  if (reload) window.location.reload();
}
