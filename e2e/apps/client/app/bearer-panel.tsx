"use client";

import { useBearerClient } from "latch/react";
import { useState } from "react";

/** A client fetch through the bearer client (token kept in localStorage), and what came back. */
export function BearerPanel() {
  const api = useBearerClient({ storage: "localStorage" });
  const [result, setResult] = useState("");

  async function load(): Promise<void> {
    setResult("");
    try {
      const response = await api.fetch("/api/me");
      setResult(`${response.status} ${await response.text()}`);
    } catch (error) {
      setResult(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return (
    <section>
      <button type="button" onClick={() => void load()}>
        Bearer fetch
      </button>
      <p data-testid="bearer-result">{result}</p>
    </section>
  );
}
