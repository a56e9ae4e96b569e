import type { Metadata } from "next";
import Link from "next/link";
import { RegisterForm } from "./RegisterForm";

export const metadata: Metadata = { title: "Create an account · latch example" };

/** Sign-up with an email address and a password; the account then signs in like any other. */
export default function RegisterPage() {
  return (
    <main className="card">
      <h1>Create an account</h1>
      <RegisterForm />
      <p className="links">
        Already have an account? <a href="/api/auth/signin">Sign in with email</a> · <Link href="/">Home</Link>
      </p>
    </main>
  );
}
