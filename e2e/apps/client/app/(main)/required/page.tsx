import { RequiredStatus } from "../../required-status";

/** A page whose client component needs a session: `useSession({ required: true })`. */
export default function RequiredPage() {
  return (
    <main>
      <h1>Required</h1>
      <RequiredStatus custom={false} />
    </main>
  );
}
