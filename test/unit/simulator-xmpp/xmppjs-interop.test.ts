// Interop with a standard client library (@xmpp/client 0.14, not our product's session code): it
// refuses PLAIN on an unencrypted TCP stream, so this also proves the SCRAM-SHA-1 path end to end.

import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { defaultPassword } from "../../../src/simulator/state/seed";
import { CompanyState } from "../../../src/simulator/state/store";
import { startXmppEndpoint, type XmppEndpoint } from "../../../src/simulator/xmpp/server";

interface XmppElement {
  getChild(name: string, ns?: string): XmppElement | undefined;
  getChildText(name: string): string | null;
}
interface XmppClient {
  jid?: { toString(): string };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: unknown): Promise<void>;
  on(event: "error", listener: (err: Error) => void): void;
  iqCaller: { request(el: unknown): Promise<XmppElement> };
}
const { client, xml } = require("@xmpp/client") as {
  client(options: Record<string, string>): XmppClient;
  xml(name: string, attrs?: Record<string, string>, ...children: unknown[]): unknown;
};

describe("simulator XMPP endpoint with @xmpp/client 0.14", () => {
  let state: CompanyState;
  let endpoint: XmppEndpoint;
  const hadWebSocket = "WebSocket" in globalThis;
  const previous = (globalThis as { WebSocket?: unknown }).WebSocket;

  before(() => {
    // Node 20 has no global WebSocket; @xmpp/websocket expects one
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  });
  after(() => {
    if (hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = previous;
    else delete (globalThis as { WebSocket?: unknown }).WebSocket;
  });
  beforeEach(async () => {
    state = new CompanyState();
    endpoint = await startXmppEndpoint(state, { port: 0, websocketPort: 0, userDomain: "uc.compass.test" });
  });
  afterEach(async () => {
    await endpoint.close();
  });

  for (const transport of ["tcp", "websocket"] as const) {
    it(`logs in, binds and gets the company over ${transport}`, async () => {
      const service =
        transport === "tcp" ? `xmpp://127.0.0.1:${endpoint.port}` : (endpoint.websocketUrl as string);
      const xmpp = client({
        service,
        domain: "uc.compass.test",
        username: "bob",
        password: defaultPassword("bob"),
        resource: `interop-${transport}`,
      });
      const errors: Error[] = [];
      xmpp.on("error", (err) => errors.push(err));
      try {
        await xmpp.start();
        assert.equal(xmpp.jid?.toString(), `bob@uc.compass.test/interop-${transport}`);
        const reply = await xmpp.iqCaller.request(
          xml(
            "iq",
            { type: "get", to: "phone.uc.compass.test" },
            xml("request", { xmlns: "http://iperity.com/compass", type: "GET_COMPANY" }),
          ),
        );
        assert.equal(
          reply.getChild("result", "http://iperity.com/compass")?.getChildText("id"),
          state.company.id,
        );
        assert.equal(endpoint.connections()[0]?.transport, transport);
      } finally {
        await xmpp.stop();
      }
      assert.deepEqual(errors, []);
    });
  }
});
