// A throw-away certificate authority and one server certificate for tests, made with the openssl CLI
// (present wherever Prosody is). The server certificate names every domain a test connects to, so
// clients verify TLS for real instead of turning verification off.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  dir: string;
  caCert: string;
  caCertPath: string;
  key: string;
  keyPath: string;
  cert: string;
  certPath: string;
  /** removes the folder (unless it was given by the caller) */
  cleanup(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run("openssl", args, { cwd, timeout: 20_000 });
}

/** CA + server certificate whose subjectAltName lists `dnsNames` (and 127.0.0.1). */
export async function createTestCertificates(dnsNames: string[], inDir?: string): Promise<TestCertificates> {
  if (dnsNames.length === 0) throw new Error("at least one DNS name is needed");
  const dir = inDir ?? (await mkdtemp(path.join(tmpdir(), "compass-tls-")));
  const ownsDir = inDir === undefined;
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl(
      [
        "req",
        "-x509",
        ...ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Compass Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      dir,
    );
    await openssl(
      ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${dnsNames[0]}`],
      dir,
    );
    const san = [...dnsNames.map((n) => `DNS:${n}`), "IP:127.0.0.1"].join(",");
    await writeFile(
      path.join(dir, "server.ext"),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
    );
    await openssl(
      [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "server.ext",
      ],
      dir,
    );
    const caCertPath = path.join(dir, "ca.crt");
    const keyPath = path.join(dir, "server.key");
    const certPath = path.join(dir, "server.crt");
    return {
      dir,
      caCertPath,
      keyPath,
      certPath,
      caCert: await readFile(caCertPath, "utf8"),
      key: await readFile(keyPath, "utf8"),
      cert: await readFile(certPath, "utf8"),
      cleanup: async () => {
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
