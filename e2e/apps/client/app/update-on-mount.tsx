"use client";

import { useSession } from "latch/react";
import { useEffect, useRef, useState } from "react";

/**
 * With `?update=<name>`, calls `update({ name })` in its first effect, while a provider without
 * a `session` prop is still loading (next-auth #13173 ignores such a call), and shows the status
 * at the time of the call and the name `update` resolved to.
 */
export function UpdateOnMount() {
  const { status, update } = useSession();
  const statusAtMount = useRef(status);
  const [outcome, setOutcome] = useState("");
  useEffect(() => {
    const name = new URLSearchParams(window.location.search).get("update");
    if (name === null) return;
    const statusAtCall = statusAtMount.current;
    update({ name }).then(
      (session) => setOutcome(JSON.stringify({ statusAtCall, name: session?.user?.name ?? null })),
      (error: unknown) => setOutcome(`error: ${String(error)}`),
    );
  }, [update]);
  return <output data-testid="update-on-mount">{outcome}</output>;
}
