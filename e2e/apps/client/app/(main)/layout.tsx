import { SessionProvider } from "latch/react";
import type { ReactNode } from "react";
import { auth } from "../../auth";

/** The App Router setup the README shows: the session the server rendered with, handed to the client. */
export default async function MainLayout({ children }: { children: ReactNode }) {
  return <SessionProvider session={await auth()}>{children}</SessionProvider>;
}
