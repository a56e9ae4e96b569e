import { RequiredStatus } from "../../required-status";

/** The same, with `onUnauthenticated` instead of the redirect. */
export default function RequiredCustomPage() {
  return (
    <main>
      <h1>Required, handled by the page</h1>
      <RequiredStatus custom={true} />
    </main>
  );
}
