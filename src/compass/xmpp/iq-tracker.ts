// Outgoing IQs waiting for their answer. Unlike @xmpp/iq's caller, every pending request is rejected
// the moment the link goes away (no 30 s timer left behind per request), and a reply must come from
// the entity we asked.

import { randomBytes } from "node:crypto";
import type { Element } from "@xmpp/xml";
import { guardedTimeout } from "../guard";
import { cut, errorText } from "../text";
import { CompassRequestError, SessionUnavailableError } from "./errors";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

interface Pending {
  to: string | undefined;
  resolve(el: Element): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class IqTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = randomBytes(4).toString("hex");
  private counter = 0;
  private closedWith: Error | undefined;

  /** @param accepts whether `from` may answer an IQ sent to `to` (server, own account...) */
  constructor(private readonly accepts: (from: string | undefined, to: string | undefined) => boolean) {}

  nextId(): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.prefix}-${this.counter}`;
  }

  /** Send via `send` and wait for the answer; IQ errors reject with CompassRequestError. */
  request(iq: Element, send: (iq: Element) => Promise<void>, timeoutMs: number): Promise<Element> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId();
    iq.attrs.id = id;
    const to = iq.attrs.to as string | undefined;
    return new Promise<Element>((resolve, reject) => {
      const timer = guardedTimeout("IQ answer timer", timeoutMs, () => {
        this.pending.delete(id);
        reject(new SessionUnavailableError("timeout", `no answer within ${timeoutMs} ms`));
      });
      this.pending.set(id, { to, resolve, reject, timer });
      send(iq).catch((err: unknown) => {
        this.settle(id)?.reject(
          new SessionUnavailableError("connection-lost", `could not send: ${errorText(err)}`),
        );
      });
    });
  }

  /** Route a received IQ result/error; false when it answers nothing we asked. */
  handle(stanza: Element): boolean {
    const type = stanza.attrs.type;
    if (type !== "result" && type !== "error") return false;
    const id = stanza.attrs.id as string | undefined;
    const entry = id === undefined ? undefined : this.pending.get(id);
    if (!entry || !this.accepts(stanza.attrs.from as string | undefined, entry.to)) return false;
    this.settle(id as string);
    if (type === "result") entry.resolve(stanza);
    else entry.reject(stanzaError(stanza));
    return true;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Reject everything pending, and every later request, with `err`. */
  close(err: Error): void {
    this.closedWith = err;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }

  private settle(id: string): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    return entry;
  }
}

/** The RFC 6120 condition, type and text of an IQ error. */
export function stanzaError(stanza: Element): CompassRequestError {
  const error = stanza.getChild("error");
  let condition = "undefined-condition";
  let text: string | undefined;
  for (const child of error?.children ?? []) {
    if (typeof child === "string") continue;
    if (child.attrs.xmlns !== NS_STANZAS) continue;
    if (child.name === "text") text = cut(child.text(), 120);
    else if (condition === "undefined-condition") condition = child.name;
  }
  return new CompassRequestError(condition, error?.attrs.type as string | undefined, text);
}
