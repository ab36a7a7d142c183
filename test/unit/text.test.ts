import assert from "node:assert/strict";
import { cut } from "../../src/compass/text";

describe("cut", () => {
  it("keeps text up to max characters as it is", () => {
    assert.equal(cut("", 3), "");
    assert.equal(cut("abc", 3), "abc");
  });

  it("keeps the first max characters of longer text and marks the cut", () => {
    assert.equal(cut("abcd", 3), "abc…");
    assert.equal(cut("x".repeat(500), 59).length, 60);
  });
});
