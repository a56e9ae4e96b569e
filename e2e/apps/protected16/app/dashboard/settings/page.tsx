import { MARKERS } from "../../../markers";

/**
 * Protected by the proxy alone, on purpose: with no page-level check, any request that
 * slips past the proxy (a path spelling, a header Next.js treats specially) shows here.
 */
export default function SettingsPage() {
  return (
    <main>
      <h1>Settings</h1>
      <p>{MARKERS.settings}</p>
    </main>
  );
}
