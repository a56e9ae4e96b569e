import type { ReactNode } from "react";

export const metadata = { title: "latch passkeys" };

/** No styles, fonts or scripts of its own: the fixture loads nothing from anywhere else. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
