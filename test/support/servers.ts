// Small TCP servers for connection tests, all on 127.0.0.1 with ports picked at run time: a relay that
// counts the connections made through it, a port nothing listens on, and an XMPP server that only
// ever answers with a stream error.

import * as net from "node:net";

export interface CountingRelay {
  port: number;
  /** xmpp://127.0.0.1:PORT, for a relay in front of an XMPP port */
  service: string;
  /** connections accepted so far */
  accepted(): number;
  close(): Promise<void>;
}

/** A TCP relay to `targetPort` on loopback that counts every connection made through it. */
export async function countingRelay(targetPort: number): Promise<CountingRelay> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await listen(server);
  return {
    port,
    service: `xmpp://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound once to learn a free number, then closed): connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that answers every stream header with `<stream:error><condition/>`, as one shutting down does. */
export async function streamErrorServer(
  condition: string,
  domain = "uc.compass.test",
): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    socket.once("data", () => {
      socket.end(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='${domain}' version='1.0'>` +
          `<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`,
      );
    });
  });
  const port = await listen(server);
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** A server that accepts connections and never says a word (an attempt against it times out). */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const held = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    held.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => held.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
}
