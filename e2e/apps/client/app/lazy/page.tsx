import { SessionPanel } from "../session-panel";
import { UpdateOnMount } from "../update-on-mount";

/** `?update=<name>` calls update({ name }) as the page mounts, while the provider is still loading. */
export default function LazyPage() {
  return (
    <main>
      <h1>Lazy</h1>
      <SessionPanel />
      <UpdateOnMount />
    </main>
  );
}
