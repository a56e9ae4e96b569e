import { createElement, type ReactNode } from "react";

/** Static on purpose: no auth() here, so the figure is the proxy's cost alone. */
export default function DashboardPage(): ReactNode {
  return createElement("p", null, "Dashboard");
}
