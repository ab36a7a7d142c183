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

/** How much of an outside value (an id, a name, a namespace) a protocol error message quotes. */
export const QUOTED_MAX = 64;
