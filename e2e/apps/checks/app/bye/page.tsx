import { auth } from "../../auth";
import { SessionLine } from "../session-line";

/** Where `signOut({ redirectTo: "/bye" })` lands. */
export default async function ByePage() {
  return (
    <main>
      <h1>Bye</h1>
      <SessionLine session={await auth()} />
    </main>
  );
}
