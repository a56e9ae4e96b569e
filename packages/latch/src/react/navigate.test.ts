import { describe, expect, it } from "vitest";
import { needsReload } from "./navigate.js";

describe("needsReload", () => {
  it("only a fragment change needs a reload", () => {
    expect(needsReload("http://app.test/a", "http://app.test/a#top")).toBe(true);
    expect(needsReload("http://app.test/a#x", "/a#y")).toBe(true);
    expect(needsReload("http://app.test/a", "http://app.test/a#")).toBe(true);
  });

  it("another page, or the same page without a fragment, loads by itself", () => {
    expect(needsReload("http://app.test/a", "http://app.test/b#top")).toBe(false);
    expect(needsReload("http://app.test/a#x", "http://app.test/a")).toBe(false);
    expect(needsReload("http://app.test/a", "/a?x=1#top")).toBe(false);
  });
});
