import type { Adapter } from "../../adapters/types.js";
import type { RequestContext } from "../config.js";

/** The adapter methods email sign-in uses (checked by `resolveConfig`), bound. */
export type EmailAdapter = Required<Pick<Adapter, "createVerificationToken" | "useVerificationToken" | "getUserByEmail" | "createUser" | "updateUser">> &
  Pick<Adapter, "deleteSessionsByUserId" | "replaceVerificationToken">;

/** The configured adapter's email methods; throws when one is missing (the config check prevents that). */
export function emailAdapter(ctx: RequestContext): EmailAdapter {
  const adapter = ctx.resolved.adapter;
  if (!adapter?.createVerificationToken || !adapter.useVerificationToken || !adapter.getUserByEmail || !adapter.createUser || !adapter.updateUser) {
    throw new TypeError("latch: email sign-in needs an adapter with createVerificationToken, useVerificationToken, getUserByEmail, createUser and updateUser");
  }
  return {
    createVerificationToken: adapter.createVerificationToken.bind(adapter),
    useVerificationToken: adapter.useVerificationToken.bind(adapter),
    getUserByEmail: adapter.getUserByEmail.bind(adapter),
    createUser: adapter.createUser.bind(adapter),
    updateUser: adapter.updateUser.bind(adapter),
    ...(adapter.deleteSessionsByUserId ? { deleteSessionsByUserId: adapter.deleteSessionsByUserId.bind(adapter) } : {}),
    ...(adapter.replaceVerificationToken ? { replaceVerificationToken: adapter.replaceVerificationToken.bind(adapter) } : {}),
  };
}
