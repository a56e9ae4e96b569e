import type { Session } from "latch/next";

/** One line every page shows, so a test can wait for the session a page rendered with. */
export function SessionLine({ session }: { session: Session | null }) {
  return <p data-testid="page-greeting">{session ? `Signed in as ${session.user?.name ?? "(no name)"}` : "Not signed in"}</p>;
}
