import { auth } from "../../auth";
import { SessionLine } from "../session-line";

/** Where `signIn(…, { redirectTo: "/after" })` lands. */
export default async function AfterPage() {
  return (
    <main>
      <h1>After sign-in</h1>
      <SessionLine session={await auth()} />
    </main>
  );
}
