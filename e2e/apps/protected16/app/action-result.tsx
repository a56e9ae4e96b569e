"use client";

import { useActionState } from "react";
import { whoNeedsSession } from "./actions";

/** Shows what the `requireSession({ onMissing: "throw" })` action answered. */
export function WhoNeedsSession() {
  const [answer, run] = useActionState(whoNeedsSession, "");
  return (
    <form action={run}>
      <button type="submit">Ask the action</button>
      <output data-testid="action-answer">{answer}</output>
    </form>
  );
}
