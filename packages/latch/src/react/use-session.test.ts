/**
 * The hook as the server renders it (react-dom/server, no DOM): effects do not run there, so
 * this checks what the first HTML shows; the browser tests (e2e/client.test.ts) check the rest.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Session } from "../types.js";
import { SessionProvider } from "./session-provider.js";
import type { UseSessionOptions } from "./types.js";
import { useSession } from "./use-session.js";

const alice: Session = { user: { name: "Alice" }, expires: "2030-01-01T00:00:00.000Z" };

function Status(props: { options?: UseSessionOptions }) {
  const { data, status } = useSession(props.options);
  return createElement("p", null, `${status}:${data?.user?.name ?? ""}`);
}

function render(session: Session | null | undefined, options?: UseSessionOptions): string {
  return renderToString(createElement(SessionProvider, { session }, createElement(Status, options ? { options } : {})));
}

describe("useSession", () => {
  it("outside a <SessionProvider>, says how to fix it", () => {
    expect(() => renderToString(createElement(Status, {}))).toThrow(/wrap your app in <SessionProvider>/i);
  });

  it("shows the session the server passed, from the first render", () => {
    expect(render(alice)).toContain("authenticated:Alice");
    expect(render(null)).toContain("unauthenticated:");
  });

  it("is loading without a session prop", () => {
    expect(render(undefined)).toContain("loading:");
  });

  it("with required and no session, reports loading (while it leaves for the sign-in page)", () => {
    expect(render(null, { required: true })).toContain("loading:");
    expect(render(alice, { required: true })).toContain("authenticated:Alice");
  });
});
