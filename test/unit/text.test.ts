import assert from "node:assert/strict";
import { asError, cut, errorText } from "../../src/compass/text";

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

describe("errorText", () => {
  it("is an Error's message, or its name when the message is empty", () => {
    assert.equal(errorText(new TypeError("x is not a function")), "x is not a function");
    assert.equal(errorText(new RangeError("")), "RangeError");
  });

  it("is the message of an error-like object and never its other properties", () => {
    assert.equal(errorText({ message: "socket hang up", stanza: "<iq secret='s'/>" }), "socket hang up");
  });

  it("is anything else as a string", () => {
    assert.equal(errorText("refused"), "refused");
    assert.equal(errorText(undefined), "undefined");
    assert.equal(errorText(null), "null");
    assert.equal(errorText({ message: 42 }), "[object Object]");
  });
});

describe("asError", () => {
  it("keeps an Error as it is", () => {
    const error = new TypeError("bad");
    assert.equal(asError(error), error);
  });

  it("wraps anything else in an Error with its text", () => {
    const wrapped = asError("refused");
    assert.ok(wrapped instanceof Error);
    assert.equal(wrapped.message, "refused");
    assert.equal(asError({ message: "socket hang up" }).message, "socket hang up");
  });
});
