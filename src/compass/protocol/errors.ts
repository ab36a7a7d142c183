import { cut } from "../text";

/**
 * The only error the protocol layer throws: a stanza that cannot be read as the platform's XML.
 * Messages name the element and never echo large or secret content (values are clipped).
 */
export class ProtocolError extends Error {
  /** Local name of the element (or attribute owner) that was missing or wrong, when known. */
  readonly element: string | undefined;

  constructor(message: string, element?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProtocolError";
    this.element = element;
  }
}

/**
 * A value cut for use inside an error message: text.ts `cut` with this layer's default length. Kept
 * as a name because protocol/parse.ts (another branch's file at the time) calls it.
 */
export function clip(value: string, max = 64): string {
  return cut(value, max);
}
