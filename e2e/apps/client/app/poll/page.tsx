import { SessionPanel } from "../session-panel";

export default function PollPage() {
  return (
    <main>
      <h1>Poll</h1>
      <SessionPanel />
    </main>
  );
}
