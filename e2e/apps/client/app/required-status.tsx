"use client";

import { useSession } from "latch/react";
import { useState } from "react";

/** `useSession({ required: true })`, redirecting to sign-in, or with `custom` calling `onUnauthenticated`. */
export function RequiredStatus({ custom }: { custom: boolean }) {
  const [called, setCalled] = useState(false);
  const { data, status } = useSession(custom ? { required: true, onUnauthenticated: () => setCalled(true) } : { required: true });
  return (
    <>
      <p data-testid="required-status">{status}</p>
      <p data-testid="required-user">{data?.user?.name ?? ""}</p>
      <p data-testid="on-unauthenticated">{called ? "called" : ""}</p>
    </>
  );
}
