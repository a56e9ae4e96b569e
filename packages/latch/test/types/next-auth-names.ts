/**
 * Names a next-auth v5 app imports exist at the latch path docs/migrating-from-next-auth.md maps
 * each module to (next-auth 5.0.0-beta.32 / @auth/core 0.41.3 export each of them).
 */
import type { AccountNotLinked, AuthError } from "latch/errors";
import type { ErrorPageParam, SignInPageErrorParam } from "latch";
import type { DefaultJWT, JWT } from "latch/jwt";
import type { MicrosoftEntraIDProfile, MicrosoftEntraIdProfile } from "latch/providers/microsoft-entra-id";
import type { SignOutParams } from "latch/react";
import type { Provider } from "latch/providers";
import type { CredentialInput, CredentialsConfig } from "latch/providers/credentials";
import GitHub from "latch/providers/github";
import { expectTypeOf } from "vitest";

// The Auth.js custom sign-in page guide types its provider list with next-auth/providers' Provider.
export const providers: Provider[] = [GitHub];
expectTypeOf<SignOutParams<false>>().toHaveProperty("redirect");
expectTypeOf<CredentialsConfig>().toHaveProperty("authorize");
expectTypeOf<CredentialInput>().toHaveProperty("label");
expectTypeOf<AccountNotLinked>().toExtend<AuthError>();
expectTypeOf<AccountNotLinked["type"]>().toEqualTypeOf<"AccountNotLinked">();
// `interface JWT extends DefaultJWT` is how next-auth apps write their augmentation.
expectTypeOf<JWT>().toExtend<DefaultJWT>();
expectTypeOf<MicrosoftEntraIDProfile>().toEqualTypeOf<MicrosoftEntraIdProfile>();
// A custom error page switches over these.
expectTypeOf<"Configuration">().toExtend<ErrorPageParam>();
expectTypeOf<"CredentialsSignin" | "AccountNotLinked">().toExtend<SignInPageErrorParam>();
