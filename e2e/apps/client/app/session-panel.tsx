"use client";

import { signIn, signOut, useSession } from "latch/react";
import { useState } from "react";

/**
 * What the tests read and press: the status and the user as `useSession()` has them, and
 * buttons for the client-side functions. `result` shows what the last one resolved to.
 */
export function SessionPanel() {
  const { data, status, update } = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [newName, setNewName] = useState("");
  const [result, setResult] = useState("");

  function run(action: () => Promise<unknown>): void {
    setResult("");
    action().then(
      (value) => setResult(JSON.stringify(value ?? null)),
      (error: unknown) => setResult(`error: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  return (
    <section>
      <p data-testid="status">{status}</p>
      <p data-testid="user-name">{data?.user?.name ?? ""}</p>
      <p data-testid="updates">{String(data?.updates ?? "")}</p>
      <input data-testid="client-username" aria-label="Client username" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input data-testid="client-password" aria-label="Client password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <input data-testid="new-name" aria-label="New name" value={newName} onChange={(e) => setNewName(e.target.value)} />
      <button type="button" onClick={() => run(() => signIn("credentials", { username, password, redirect: false }))}>
        Client sign in
      </button>
      <button
        type="button"
        onClick={() =>
          run(async () => {
            const signedIn = await signIn("credentials", { username, password, redirect: false });
            // At once, as next-auth #13173 does it: the provider has not refetched yet.
            const updated = await update({ name: newName });
            return { signIn: signedIn, updatedName: updated?.user?.name ?? null };
          })
        }
      >
        Client sign in and update
      </button>
      <button type="button" onClick={() => run(() => signOut({ redirect: false }))}>
        Client sign out
      </button>
      <button type="button" onClick={() => run(() => update({ name: newName }))}>
        Update name
      </button>
      <button type="button" onClick={() => run(() => update())}>
        Update without data
      </button>
      <output data-testid="result">{result}</output>
    </section>
  );
}
