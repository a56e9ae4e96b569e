import { createElement, type ReactNode } from "react";

// No JSX in this app: the root tsconfig (NodeNext, no `jsx`) type-checks bench/ as a whole, and
// these files must pass it as well as their own tsconfig, which Next uses.
export default function RootLayout({ children }: { children: ReactNode }): ReactNode {
  return createElement("html", { lang: "en" }, createElement("body", null, children));
}
