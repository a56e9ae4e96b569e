/** sRGB channels, 0–255. */
export type Rgb = readonly [number, number, number];

/** A CSS color latch accepts from the theme; anything else falls back to the default. */
export function safeColor(value: string | undefined, fallback: string): string {
  return value && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\))$/.test(value) ? value : fallback;
}

function channel(text: string, scale: number): number {
  const value = text.endsWith("%") ? (Number(text.slice(0, -1)) / 100) * 255 : Number(text) * scale;
  return Math.min(255, Math.max(0, value));
}

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 30;
  const s = Math.min(1, Math.max(0, saturation));
  const l = Math.min(1, Math.max(0, lightness));
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h) % 12;
    return (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255;
  };
  return [f(0), f(8), f(4)];
}

/**
 * The sRGB value of a hex, `rgb()` or `hsl()` color (alpha ignored); undefined for anything
 * else, a color name included.
 *
 * @example
 * ```ts
 * parseColor("#346df1"); // [52, 109, 241]
 * ```
 */
export function parseColor(value: string): Rgb | undefined {
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(value)?.[1];
  if (hex) {
    const digits = hex.length <= 4 ? [...hex.slice(0, 3)].map((d) => d + d) : [hex.slice(0, 2), hex.slice(2, 4), hex.slice(4, 6)];
    const [r = 0, g = 0, b = 0] = digits.map((pair) => parseInt(pair, 16));
    return [r, g, b];
  }
  const functional = /^(rgba?|hsla?)\(([^)]*)\)$/i.exec(value.trim());
  if (!functional?.[1] || functional[2] === undefined) return undefined;
  const parts = functional[2].split(/[\s,/]+/).filter(Boolean);
  const [first, second, third] = parts;
  if (first === undefined || second === undefined || third === undefined) return undefined;
  if (functional[1].toLowerCase().startsWith("rgb")) {
    const rgb: Rgb = [channel(first, 1), channel(second, 1), channel(third, 1)];
    return rgb.every(Number.isFinite) ? rgb : undefined;
  }
  const numbers = [Number(first.replace(/deg$/i, "")), Number(second.replace(/%$/, "")) / 100, Number(third.replace(/%$/, "")) / 100] as const;
  return numbers.every(Number.isFinite) ? hslToRgb(...numbers) : undefined;
}

/** WCAG 2.x relative luminance of an sRGB color. */
export function relativeLuminance([r, g, b]: Rgb): number {
  const linear = (value: number): number => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/**
 * WCAG 2.x contrast ratio of two colors, from 1 to 21.
 *
 * @example
 * ```ts
 * contrastRatio([255, 255, 255], [0, 0, 0]); // 21
 * ```
 */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [17, 17, 17];

/**
 * The text color for a button of color `background`: white where it reads at 4.5:1 or better
 * (WCAG 1.4.3), otherwise near-black (#111) — whichever of the two contrasts more. A color
 * latch cannot compute (a name) gets a CSS relative color that makes the same choice in the
 * browser by lightness, after plain white for browsers without relative colors.
 *
 * @example
 * ```ts
 * readableTextOn("#facc15"); // { color: "#111111" }
 * ```
 */
export function readableTextOn(background: string): { color: string; relative?: string } {
  const rgb = parseColor(background);
  if (!rgb) return { color: "#ffffff", relative: `oklch(from ${background} clamp(0, (0.57 - l) * 1000, 1) 0 0)` };
  if (contrastRatio(rgb, WHITE) >= 4.5) return { color: "#ffffff" };
  return { color: contrastRatio(rgb, WHITE) >= contrastRatio(rgb, INK) ? "#ffffff" : "#111111" };
}
