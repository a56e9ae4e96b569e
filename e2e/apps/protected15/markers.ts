/**
 * Strings only the protected routes render. The tests look for them in every answer a
 * request without a valid session gets: a redirect or a 404 can carry the URL the client
 * asked for, so a marker must be something no URL and no public page contains.
 */
export const MARKERS = {
  dashboard: "marker-3f9c-dashboard-content",
  settings: "marker-7a21-settings-content",
  privateData: "marker-c4d8-private-data",
  guarded: "marker-5be0-guarded-data",
} as const;
