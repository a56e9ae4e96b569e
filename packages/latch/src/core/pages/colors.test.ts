import { describe, expect, it } from "vitest";
import { contrastRatio, parseColor, readableTextOn, safeColor, type Rgb } from "./colors.js";

const WHITE: Rgb = [255, 255, 255];

describe("parseColor", () => {
  it.each<[string, Rgb | undefined]>([
    ["#346df1", [52, 109, 241]],
    ["#fff", [255, 255, 255]],
    ["#0f08", [0, 255, 0]],
    ["#11223344", [17, 34, 51]],
    ["rgb(10, 20, 30)", [10, 20, 30]],
    ["rgba(10 20 30 / 50%)", [10, 20, 30]],
    ["rgb(100%, 0%, 50%)", [255, 0, 127.5]],
    ["hsl(0, 100%, 50%)", [255, 0, 0]],
    ["hsl(120deg 100% 25%)", [0, 127.5, 0]],
    ["rebeccapurple", undefined],
    ["#12", undefined],
    ["rgb(1,2)", undefined],
  ])("%s", (value, expected) => {
    const rgb = parseColor(value);
    if (expected === undefined) expect(rgb).toBeUndefined();
    else expect(rgb?.map((c) => Math.round(c * 10) / 10)).toEqual(expected);
  });
});

describe("contrastRatio (WCAG 2.x)", () => {
  it("spans 1 to 21", () => {
    expect(contrastRatio(WHITE, [0, 0, 0])).toBeCloseTo(21, 5);
    expect(contrastRatio([52, 109, 241], [52, 109, 241])).toBe(1);
    expect(contrastRatio([52, 109, 241], WHITE)).toBeCloseTo(4.56, 2);
  });
});

describe("readableTextOn: the main buttons' text reads on any brand color (4.5:1)", () => {
  it.each(["#346df1", "#0f766e", "#7c3aed", "#111827", "#b91c1c", "#facc15", "#a3e635", "#f472b6", "#e5e7eb", "#ffffff", "#808080", "hsl(200 90% 60%)", "rgb(255 140 0)"])("%s", (brand) => {
    const { color } = readableTextOn(brand);
    const rgb = parseColor(brand)!;
    const ratio = contrastRatio(rgb, parseColor(color)!);
    // Mid greys cannot reach 4.5:1 with any text: the better of white and black is chosen.
    expect(ratio >= 4.5 || ratio >= contrastRatio(rgb, color === "#ffffff" ? [17, 17, 17] : WHITE)).toBe(true);
    if (contrastRatio(rgb, WHITE) >= 4.5) expect(color).toBe("#ffffff");
  });

  it("leaves a color name to the browser, after plain white", () => {
    expect(readableTextOn("gold")).toEqual({ color: "#ffffff", relative: "oklch(from gold clamp(0, (0.57 - l) * 1000, 1) 0 0)" });
  });
});

describe("safeColor", () => {
  it("keeps colors and refuses anything that could leave the declaration", () => {
    expect(safeColor("#ff0066", "#000")).toBe("#ff0066");
    expect(safeColor("red;}</style><script>", "#000")).toBe("#000");
    expect(safeColor("url(https://evil.test/x)", "#000")).toBe("#000");
    expect(safeColor(undefined, "#000")).toBe("#000");
  });
});
