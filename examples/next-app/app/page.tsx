import { auth } from "../auth";
import { SignInButton } from "../components/SignInButton";
import { SignOutButton } from "../components/SignOutButton";

export default async function HomePage() {
  // Reading the session makes this page dynamic: it is rendered per request.
  const session = await auth();
  const name = session?.user?.name;

  return (
    <main className="card">
      <h1>latch example</h1>
      {session ? (
        <>
          <p className="greeting">Hello, {name ?? "there"}!</p>
          <SignOutButton />
        </>
      ) : (
        <>
          <p className="greeting">You are not signed in.</p>
          <SignInButton />
        </>
      )}
    </main>
  );
}
