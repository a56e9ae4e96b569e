import type { RotateOptions } from "./types.js";

/**
 * `options.retryWindow` in milliseconds, for a store. Anything but a positive finite number of
 * seconds is 0: a window that cannot be read fails closed, to plain reuse detection.
 */
export function retryWindowMs(options: RotateOptions | undefined): number {
  const seconds = options?.retryWindow;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}
