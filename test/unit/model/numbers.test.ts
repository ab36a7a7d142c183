import { strict as assert } from "node:assert";
import { toE164 } from "../../../src/compass/model/numbers";

describe("numbers in E.164 (toE164)", () => {
  const cases: Array<[string | null | undefined, string | null]> = [
    ["+31201234567", "+31201234567"],
    ["0201234567", "+31201234567"],
    ["020 123 45 67", "+31201234567"],
    ["0031201234567", "+31201234567"],
    ["+316 12345678", "+31612345678"],
    ["06-12345678", "+31612345678"],
    ["+32 2 123 45 67", "+3221234567"],
    ["+4420 7946 0958", "+442079460958"],
    ["1002", null],
    ["anonymous", null],
    ["", null],
    [null, null],
    [undefined, null],
  ];
  for (const [number, e164] of cases) {
    it(`${JSON.stringify(number)} -> ${e164}`, () => {
      assert.equal(toE164(number), e164);
      assert.equal(toE164(number), e164, "the cached answer is the same");
    });
  }
});
