import { handlers } from "#auth";

/** The library's route handlers; the benchmark reads `GET /api/auth/session`. */
export const { GET, POST } = handlers;
