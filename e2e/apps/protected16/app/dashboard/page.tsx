import { requireSession } from "../../auth";
import { MARKERS } from "../../markers";

/**
 * Behind the proxy, and checked again here (the README: "a proxy is only a first filter").
 * Shows both expiries so a test can tell whether this render saw the cookie the proxy renewed.
 */
export default async function DashboardPage() {
  const session = await requireSession();
  return (
    <main>
      <h1>Dashboard</h1>
      <p>{MARKERS.dashboard}</p>
      <p data-testid="dashboard-name">{session.user?.name ?? "(no name)"}</p>
      <p data-testid="session-expires">{session.expires}</p>
      <p data-testid="token-expires">{String(session.tokenExpires ?? "")}</p>
    </main>
  );
}
