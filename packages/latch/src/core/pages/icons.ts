// Small line icons drawn for these pages, shown above a page's heading. Decorative: hidden
// from assistive technology, which reads the heading.
const PATHS = {
  mail: '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 7 8.5 6 8.5-6"/>',
  alert: '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5h.01"/>',
  signOut: '<path d="M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4"/><path d="M9.5 12H20"/><path d="m16.5 8.5 3.5 3.5-3.5 3.5"/>',
  key: '<circle cx="8" cy="15" r="4"/><path d="m11 12 9-9"/><path d="m17 6 3 3"/><path d="m14.5 8.5 2 2"/>',
  clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/>',
} as const;

/** The name of an icon the pages draw. */
export type IconName = keyof typeof PATHS;

/**
 * The badge with an icon that opens a page.
 *
 * @example
 * ```ts
 * `${icon("mail")}<h1>Check your email</h1>`
 * ```
 */
export function icon(name: IconName): string {
  return `<div class="icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" focusable="false">${PATHS[name]}</svg></div>`;
}
