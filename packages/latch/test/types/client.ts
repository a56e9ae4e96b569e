/** `latch/react`'s `signIn` takes the ids registered in `Register` (augment.ts): the server config's. */
import { signIn, type ClientProviderId } from "latch/react";
import { expectTypeOf } from "vitest";

expectTypeOf<ClientProviderId>().toEqualTypeOf<"github" | "local" | "credentials">();

expectTypeOf(signIn).parameter(0).toEqualTypeOf<"github" | "local" | "credentials" | undefined>();
expectTypeOf<"githb">().not.toExtend<Parameters<typeof signIn>[0]>();

export async function onClick(): Promise<void> {
  await signIn("local");
  const result = await signIn("credentials", { email: "a@b.test", redirect: false });
  expectTypeOf(result.error).toEqualTypeOf<string | undefined>();
  await signIn();
}
