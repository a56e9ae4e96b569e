import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "#auth";

/** Better Auth's catch-all route; the benchmark reads `GET /api/auth/get-session`. */
export const { GET, POST } = toNextJsHandler(auth);
