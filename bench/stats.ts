/** Median, minimum and maximum of a set of samples. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/**
 * The median and range of `samples`, rounded to `decimals` places (whole numbers by default).
 *
 * @example
 * ```ts
 * summary([3, 1, 2]); // { median: 2, min: 1, max: 3 }
 * summary([1.234, 2.345], 2); // { median: 1.79, min: 1.23, max: 2.35 }
 * ```
 */
export function summary(samples: number[], decimals = 0): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median: round(median, decimals), min: round(sorted[0] ?? 0, decimals), max: round(sorted[sorted.length - 1] ?? 0, decimals) };
}

/**
 * `value` rounded to `decimals` places.
 *
 * @example
 * ```ts
 * round(2 / 3, 2); // 0.67
 * ```
 */
export function round(value: number, decimals = 0): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
