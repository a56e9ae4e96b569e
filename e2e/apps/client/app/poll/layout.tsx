import { SessionProvider } from "latch/react";
import type { ReactNode } from "react";
import { auth } from "../../auth";

/** Polling every second, and no refetch on focus, so a test sees the poll alone. */
export default async function PollLayout({ children }: { children: ReactNode }) {
  return (
    <SessionProvider session={await auth()} refetchInterval={1} refetchOnWindowFocus={false}>
      {children}
    </SessionProvider>
  );
}
