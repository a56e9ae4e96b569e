import { betterAuth } from "better-auth";
import { authOptions } from "#auth-options";

// `next start` gets BETTER_AUTH_URL (http on loopback), so the cookies have no `__Secure-` prefix.
export const auth = betterAuth(authOptions);
