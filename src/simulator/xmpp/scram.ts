// Server side of SASL SCRAM-SHA-1 (RFC 5802), without channel binding. Offered so standard clients
// that refuse PLAIN on an unencrypted stream (@xmpp/client does) can log in to a loopback simulator
// without TLS. The simulator keeps plain passwords, so keys are derived per login.

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

export class ScramError extends Error {
  constructor(
    readonly condition: "malformed-request" | "not-authorized" | "invalid-authzid",
    message: string,
  ) {
    super(message);
    this.name = "ScramError";
  }
}

const hmac = (key: Buffer, text: string) => createHmac("sha1", key).update(text, "utf8").digest();
const sha1 = (data: Buffer) => createHash("sha1").update(data).digest();

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramError("malformed-request", "bad SCRAM attribute");
    out.set(part.slice(0, 1), part.slice(2));
  }
  return out;
}

function saslName(value: string): string {
  if (/=(?!2C|3D)/.test(value)) throw new ScramError("malformed-request", "bad SCRAM username encoding");
  return value.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

/** One SCRAM exchange: `start` with the client-first message, `finish` with the client-final one. */
export class ScramServerExchange {
  username = "";
  private clientFirstBare = "";
  private serverFirst = "";
  private gs2Header = "";
  private nonce = "";
  private readonly salt: Buffer;
  private readonly serverNonce: string;

  /** `fixed` exists for checking against RFC 5802's published example only */
  constructor(
    private readonly iterations: number,
    fixed?: { salt: Buffer; serverNonce: string },
  ) {
    this.salt = fixed?.salt ?? randomBytes(16);
    this.serverNonce = fixed?.serverNonce ?? randomBytes(18).toString("base64");
  }

  /** returns the server-first message */
  start(clientFirst: string): string {
    const match = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!match) throw new ScramError("malformed-request", "channel binding is not supported");
    if (match[2]) throw new ScramError("invalid-authzid", "authorization identities are not supported");
    this.gs2Header = clientFirst.slice(0, clientFirst.length - (match[3] as string).length);
    this.clientFirstBare = match[3] as string;
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get("n");
    const clientNonce = attrs.get("r");
    if (!user || !clientNonce) throw new ScramError("malformed-request", "username and nonce required");
    this.username = saslName(user);
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.salt.toString("base64")},i=${this.iterations}`;
    return this.serverFirst;
  }

  /**
   * Verifies the client's proof against `password` (undefined = unknown user, which fails the same
   * way); returns the server-final message.
   */
  finish(clientFinal: string, password: string | undefined): string {
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) throw new ScramError("malformed-request", "proof missing");
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (
      attrs.get("c") !== Buffer.from(this.gs2Header, "utf8").toString("base64") ||
      attrs.get("r") !== this.nonce
    ) {
      throw new ScramError("not-authorized", "channel binding or nonce mismatch");
    }
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
    const salted = pbkdf2Sync(
      password ?? randomBytes(16).toString("hex"),
      this.salt,
      this.iterations,
      20,
      "sha1",
    );
    const clientKey = hmac(salted, "Client Key");
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(sha1(clientKey), authMessage);
    const expected = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    if (password === undefined || proof.length !== expected.length || !timingSafeEqual(proof, expected)) {
      throw new ScramError("not-authorized", "wrong username or password");
    }
    return `v=${hmac(hmac(salted, "Server Key"), authMessage).toString("base64")}`;
  }
}
