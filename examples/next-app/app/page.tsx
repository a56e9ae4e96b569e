import Link from "next/link";
import { auth } from "../auth";
import { ProviderAccess } from "../components/ProviderAccess";
import { SignInButton } from "../components/SignInButton";
import { SignOutButton } from "../components/SignOutButton";

export default async function HomePage() {
  // Reading the session makes this page dynamic: it is rendered per request.
  const session = await auth();
  // Accounts from /register have no name (only an email address): greet them by their address.
  const greetee = session?.user?.name || session?.user?.email || "there";

  return (
    <main className="card">
      <h1>latch example</h1>
      {session ? (
        <>
          <p className="greeting">Hello, {greetee}!</p>
          <ProviderAccess session={session} />
          <SignOutButton />
        </>
      ) : (
        <>
          <p className="greeting">You are not signed in.</p>
          <SignInButton />
          <p className="links">
            {/* A route handler, not a page: a plain link, which Next.js does not prefetch. */}
            <a href="/api/auth/signin">Sign in with email</a> · <Link href="/register">Create an account</Link>
          </p>
        </>
      )}
    </main>
  );
}
