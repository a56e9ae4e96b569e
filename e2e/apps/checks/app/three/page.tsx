import { auth } from "../../auth";
import { SessionLine } from "../session-line";

/** Reads the session in a nested server component, as a layout's header or a sidebar would. */
async function Inner() {
  const session = await auth();
  return <p data-testid="inner">inner: {session?.user?.name ?? "nobody"}</p>;
}

async function Outer() {
  const session = await auth();
  return (
    <section>
      <p data-testid="outer">outer: {session?.user?.name ?? "nobody"}</p>
      <Inner />
    </section>
  );
}

/**
 * Three `auth()` calls in one render (here, in Outer, in Inner). latch must decode
 * the cookie and run the `jwt` callback once for all of them; the test counts the
 * callback's calls for this request through the probe.
 */
export default async function ThreePage() {
  const session = await auth();
  return (
    <main>
      <h1>Three reads</h1>
      <SessionLine session={session} />
      <Outer />
    </main>
  );
}
