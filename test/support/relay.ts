// A TCP relay for fault tests, between a client and a real server: it counts connections and bytes,
// keeps what the client sent in plaintext (before TLS), and can cut a connection after a chosen
// number of bytes, reset new connections, or stall (stop forwarding while keeping the sockets open).
// Binds 127.0.0.1 on a port picked at run time.

import net from "node:net";

export interface RelayConnection {
  /** bytes client -> server and server -> client so far */
  up: number;
  down: number;
  /** what the client sent, up to 64 KiB (readable until TLS starts) */
  sent: string;
  /** sizes of the chunks as they passed, + up / - down, for telling the set-up phases apart */
  chunks: number[];
  /** cut (both sides destroyed) once this many bytes in total have passed */
  limit: number | undefined;
  client: net.Socket;
  server: net.Socket;
}

export interface Relay {
  port: number;
  /** every connection accepted so far, oldest first */
  connections: RelayConnection[];
  /** the next connection is cut (both sides destroyed) after `bytes` in total have passed */
  cutNextAfter(bytes: number): void;
  /** every open connection is cut after `bytes` more (mid-stanza, most likely) */
  cutOpenAfter(bytes: number): void;
  /** new connections are reset at once (a server that is down but reachable) */
  resetNew(on: boolean): void;
  /** stop forwarding on every open connection (a silent link); new ones stall too */
  stall(on: boolean): void;
  /** destroy every open connection */
  dropAll(): void;
  close(): Promise<void>;
}

const SENT_LIMIT = 64 * 1024;

export async function startRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<Relay> {
  const connections: RelayConnection[] = [];
  const open = new Set<RelayConnection>();
  let cutAfter: number | undefined;
  let resetting = false;
  let stalled = false;

  const server = net.createServer((client) => {
    client.on("error", () => undefined);
    if (resetting) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ port: targetPort, host: targetHost });
    upstream.on("error", () => undefined);
    const conn: RelayConnection = {
      up: 0,
      down: 0,
      sent: "",
      chunks: [],
      limit: cutAfter,
      client,
      server: upstream,
    };
    cutAfter = undefined;
    connections.push(conn);
    open.add(conn);
    const end = () => {
      open.delete(conn);
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: net.Socket, to: net.Socket, direction: "up" | "down") => {
      from.on("data", (chunk: Buffer) => {
        if (stalled) return; // swallowed: neither side hears anything more
        let data = chunk;
        const limit = conn.limit;
        if (limit !== undefined && conn.up + conn.down + data.length >= limit) {
          data = data.subarray(0, Math.max(0, limit - conn.up - conn.down));
          conn[direction] += data.length;
          if (data.length > 0) to.write(data);
          end();
          return;
        }
        conn[direction] += data.length;
        if (conn.chunks.length < 1000) conn.chunks.push(direction === "up" ? data.length : -data.length);
        if (direction === "up" && conn.sent.length < SENT_LIMIT) conn.sent += data.toString("latin1");
        to.write(data);
      });
      from.on("close", end);
    };
    forward(client, upstream, "up");
    forward(upstream, client, "down");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  const dropAll = () => {
    for (const conn of [...open]) {
      open.delete(conn);
      conn.client.destroy();
      conn.server.destroy();
    }
  };
  return {
    port,
    connections,
    cutNextAfter: (bytes) => {
      cutAfter = bytes;
    },
    cutOpenAfter: (bytes) => {
      for (const conn of open) conn.limit = conn.up + conn.down + bytes;
    },
    resetNew: (on) => {
      resetting = on;
    },
    stall: (on) => {
      stalled = on;
    },
    dropAll,
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
