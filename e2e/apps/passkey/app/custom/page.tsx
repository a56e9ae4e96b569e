import { PasskeyButtons } from "./passkey-buttons";

/** The app's own sign-in page: passkeys through `latch/webauthn`, not the built-in page. */
export default function CustomSignIn() {
  return (
    <main>
      <h1>Sign in on the app's own page</h1>
      <PasskeyButtons />
    </main>
  );
}
