/** `latch/webauthn`'s `signIn` takes the registered provider ids and types its answer as `latch/react`'s does. */
import { signIn, type SignInResponse } from "latch/webauthn";
import { expectTypeOf } from "vitest";

expectTypeOf<"githb">().not.toExtend<Parameters<typeof signIn>[0]>();

export async function onPasskey(): Promise<void> {
  const result = await signIn("credentials", { redirect: false });
  expectTypeOf(result.error).toEqualTypeOf<string | undefined>();
  expectTypeOf(await signIn("local")).toEqualTypeOf<SignInResponse | undefined>();
}
