/**
 * `latch/adapters`: the adapter interface (Auth.js's), for built-in and third-party adapters.
 *
 * @example
 * ```ts
 * import type { Adapter } from "latch/adapters";
 * ```
 */
export type * from "./types.js";
