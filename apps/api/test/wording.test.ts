import { describe, expect, it } from "vitest";
import { indefiniteArticle, plural, retrievalsLeft } from "../src/claim-page/wording.js";

describe("the claim page's English", () => {
  it("counts read right: 1 retrieval, 2 retrievals, none, or unlimited", () => {
    expect(retrievalsLeft(1)).toBe("1 retrieval left");
    expect(retrievalsLeft(2)).toBe("2 retrievals left");
    expect(retrievalsLeft(0)).toBe("no retrievals left");
    expect(retrievalsLeft(null)).toBe("unlimited retrievals until it expires");
    expect(plural(1, "file")).toBe("1 file");
    expect(plural(5, "file")).toBe("5 files");
  });

  it("a or an by the sound of the next word, content types included", () => {
    const cases: Array<[string, "a" | "an"]> = [
      ["application/json", "an"],
      ["text/plain", "a"],
      ["image/png", "an"],
      ["audio/ogg", "an"],
      ["video/mp4", "a"],
      ["font/woff2", "a"],
      ["model/gltf+json", "a"],
      ["multipart/mixed", "a"],
      ["x-custom/thing", "an"],
      ["unicode", "a"],
      ["user", "a"],
      ["umbrella", "an"],
      ["hour", "an"],
      ["house", "a"],
      ["euro", "a"],
      ["8-bit", "an"],
      ["one-off", "a"],
    ];
    for (const [word, article] of cases) expect(indefiniteArticle(word), word).toBe(article);
  });
});
