// Starts a real Prosody (Debian's 0.12) for integration tests: config, data, certificates and log in a
// temp folder, bound to 127.0.0.1 on ports picked at run time. Everything is removed on stop(), and a
// process-exit hook kills any server a failing test left behind.
//
// Facts this relies on (engineering.md): `prosody --config ABS -F` runs in the foreground, as root only
// with `run_as_root = true`; `prosodyctl --config ABS register ...` needs --config FIRST (else it
// writes the system's accounts); never `prosody --version` (it starts the system server); SIGTERM
// takes 1-3 s; SCRAM iteration counts must be low or each login costs ~1 s.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestCertificates, type TestCertificates } from "./tls";

const run = promisify(execFile);

export const PROSODY_BIN = "/usr/bin/prosody";
export const PROSODYCTL_BIN = "/usr/bin/prosodyctl";
const MODULE_DIRS = ["/usr/lib/prosody/modules", "/usr/share/prosody-modules"];

export interface ProsodyOptions {
  userDomain: string;
  components?: Array<{ domain: string; secret: string }>;
  users?: Array<{ username: string; password: string }>;
  /** offer XEP-0198 stream management (mod_smacks), to test clients against a server that does */
  streamManagement?: boolean;
  /** load mod_privacy_lists when installed (default true); without it Prosody answers service-unavailable */
  privacyLists?: boolean;
  /** the names the server certificate lists (default: the user domain and every component); fault
   * tests give names that do not match, to prove a mismatched certificate is refused */
  certificateNames?: string[];
}

export interface ProsodyServer {
  c2sPort: number;
  componentPort: number;
  pid: number | undefined;
  dir: string;
  certs: TestCertificates;
  /** which optional modules were found and enabled */
  modules: string[];
  log(): Promise<string>;
  stop(): Promise<void>;
  /** stop (SIGTERM by default, SIGKILL for a crash), stay down `downMs`, start again on the same ports */
  restart(options?: RestartOptions): Promise<void>;
}

export interface RestartOptions {
  signal?: "SIGTERM" | "SIGKILL";
  downMs?: number;
  /** called once the old process has exited, before the new one starts */
  onDown?: () => void;
}

export function isProsodyAvailable(): boolean {
  return existsSync(PROSODY_BIN) && existsSync(PROSODYCTL_BIN);
}

function moduleInstalled(name: string): boolean {
  return MODULE_DIRS.some(
    (dir) =>
      existsSync(path.join(dir, `mod_${name}.lua`)) ||
      existsSync(path.join(dir, `mod_${name}`, `mod_${name}.lua`)),
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const lua = (value: string) => JSON.stringify(value); // JSON string escapes are valid Lua for our values

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

export async function startProsody(options: ProsodyOptions): Promise<ProsodyServer> {
  if (!isProsodyAvailable()) throw new Error(`prosody is not installed (${PROSODY_BIN})`);
  installExitHook();
  const dir = await mkdtemp(path.join(tmpdir(), "compass-prosody-"));
  tempDirs.add(dir);
  let child: ChildProcess | undefined;

  const cleanupDir = async () => {
    await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };

  try {
    const components = options.components ?? [];
    const certs = await createTestCertificates(
      options.certificateNames ?? [options.userDomain, ...components.map((c) => c.domain)],
      await mkdir(path.join(dir, "certs"), { recursive: true }).then(() => path.join(dir, "certs")),
    );
    await mkdir(path.join(dir, "data"), { recursive: true });
    const c2sPort = await freePort();
    const componentPort = await freePort();
    const optional: string[] = [];
    if ((options.privacyLists ?? true) && moduleInstalled("privacy_lists")) optional.push("privacy_lists");
    if (options.streamManagement) {
      if (!moduleInstalled("smacks")) throw new Error("mod_smacks is not installed");
      optional.push("smacks");
    }
    const modules = ["roster", "saslauth", "tls", "disco", "ping", ...optional];
    const configPath = path.join(dir, "prosody.cfg.lua");
    const config = [
      "-- generated by test/support/prosody.ts",
      "run_as_root = true",
      `pidfile = ${lua(path.join(dir, "prosody.pid"))}`,
      `data_path = ${lua(path.join(dir, "data"))}`,
      `plugin_paths = { ${MODULE_DIRS.filter((d) => existsSync(d))
        .map(lua)
        .join(", ")} }`,
      `log = { { levels = { min = "info" }, to = "file", filename = ${lua(path.join(dir, "prosody.log"))} } }`,
      'interfaces = { "127.0.0.1" }',
      'local_interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${c2sPort} }`,
      "c2s_direct_tls_ports = { }",
      "s2s_ports = { }",
      `component_ports = { ${componentPort} }`,
      'component_interfaces = { "127.0.0.1" }',
      "http_ports = { }",
      "https_ports = { }",
      'modules_disabled = { "s2s", "offline" }',
      `modules_enabled = { ${modules.map(lua).join(", ")} }`,
      'authentication = "internal_hashed"',
      "default_iteration_count = 128",
      'storage = "internal"',
      "c2s_require_encryption = true",
      "allow_registration = false",
      `ssl = { key = ${lua(certs.keyPath)}, certificate = ${lua(certs.certPath)} }`,
      `VirtualHost ${lua(options.userDomain)}`,
      `  ssl = { key = ${lua(certs.keyPath)}, certificate = ${lua(certs.certPath)} }`,
      ...components.flatMap((c) => [`Component ${lua(c.domain)}`, `  component_secret = ${lua(c.secret)}`]),
      "",
    ].join("\n");
    await writeFile(configPath, config);

    for (const user of options.users ?? []) {
      // --config first, else prosodyctl silently writes the system's accounts
      await run(
        PROSODYCTL_BIN,
        ["--config", configPath, "register", user.username, options.userDomain, user.password],
        {
          timeout: 20_000,
        },
      );
    }

    const launch = async () => {
      const proc = spawn(PROSODY_BIN, ["--config", configPath, "-F"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      proc.stderr?.on("data", (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      running.add(proc);
      proc.once("exit", () => running.delete(proc));
      child = proc;
      const deadline = Date.now() + 10_000;
      // Prosody opens the component port only when a Component is configured
      const ready = async () =>
        (await accepts(c2sPort)) && (components.length === 0 || (await accepts(componentPort)));
      while (!(await ready())) {
        if (proc.exitCode !== null || Date.now() > deadline) {
          const log = await readFile(path.join(dir, "prosody.log"), "utf8").catch(() => "");
          proc.kill("SIGKILL");
          throw new Error(`prosody did not start: ${stderr}\n${log.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const terminate = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    };

    await launch();
    return {
      c2sPort,
      componentPort,
      get pid() {
        return child?.pid;
      },
      dir,
      certs,
      modules: optional,
      log: () => readFile(path.join(dir, "prosody.log"), "utf8").catch(() => ""),
      stop: async () => {
        await terminate();
        await cleanupDir();
      },
      restart: async (restart: RestartOptions = {}) => {
        await terminate(restart.signal);
        restart.onDown?.();
        if (restart.downMs) await new Promise((r) => setTimeout(r, restart.downMs));
        await launch();
      },
    };
  } catch (err) {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await cleanupDir();
    throw err;
  }
}
