import { SessionProvider } from "latch/react";
import type { ReactNode } from "react";

/** No `session` prop: the provider starts "loading" and fetches the session itself. */
export default function LazyLayout({ children }: { children: ReactNode }) {
  return <SessionProvider>{children}</SessionProvider>;
}
