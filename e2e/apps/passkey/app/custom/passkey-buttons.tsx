"use client";

import { signIn } from "latch/webauthn";
import { useState } from "react";

/**
 * A sign-in form of the app's own with `signIn` from `latch/webauthn`: it says what the call
 * resolved or rejected with, so the browser test can read it.
 */
export function PasskeyButtons() {
  const [email, setEmail] = useState("");
  const [result, setResult] = useState("");
  const run = async (options: Record<string, string>) => {
    setResult("");
    try {
      const answer = await signIn("passkey", { ...options, redirect: false, redirectTo: "/" });
      setResult(answer?.error ? `error: ${answer.error}` : `signed in: ${answer?.url ?? ""}`);
    } catch (error) {
      setResult(`rejected: ${error instanceof DOMException ? error.name : String(error)}`);
    }
  };
  return (
    <div>
      <label>
        Email <input type="email" name="email" value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <button type="button" onClick={() => void run({ action: "register", email })}>
        Create with latch/webauthn
      </button>
      <button type="button" onClick={() => void run({})}>
        Sign in with latch/webauthn
      </button>
      <p data-testid="result">{result}</p>
    </div>
  );
}
