// "Test connection" in a real editor (Node-RED child process + Debian's Chromium through playwright-core):
// the button in the connection's dialog, clicked as a user does, and the result line it shows, for
// a good connection and a wrong password typed into the dialog. Then a runtime that trusts a test CA
// (NODE_EXTRA_CA_CERTS) facing an XMPP server whose certificate names other hosts: the status under
// the nodes and the button both say the certificate does not match, and which names it holds.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import { CONFIG_ID, type EditorStack, startEditorStack } from "../support/editor";
import { createTestCertificates, type TestCertificates } from "../support/tls";

const CHROMIUM = "/usr/bin/chromium";
const MISMATCH = "certificate does not match uc.compass.test (holds: uc.other.com, *.other.com, 127.0.0.1)";

// biome-ignore lint/suspicious/noExplicitAny: the editor's globals live in the page
declare const RED: any;
// biome-ignore lint/suspicious/noExplicitAny: see above
declare const $: any;
// biome-ignore lint/suspicious/noExplicitAny: the page's DOM (the test compiles without the DOM library)
declare const MutationObserver: any;

describe("Test connection in a real editor (Node-RED + Chromium)", function () {
  this.timeout(90_000);
  let browser: Browser | undefined;
  const stacks: EditorStack[] = [];
  let certs: TestCertificates | undefined;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log("    SKIP: chromium is not installed; Test connection browser test skipped");
      this.skip();
    }
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    for (const stack of stacks.splice(0)) await stack.stop();
    await certs?.cleanup();
  });

  /** The editor loaded (only loopback reachable) with the deployed connection's dialog open. */
  async function openConnectionDialog(stack: EditorStack, locale = "en-US"): Promise<Page> {
    const context = await browser!.newContext({ locale });
    await context.route("**/*", (route) =>
      new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.waitForFunction(
      (id: string) =>
        // biome-ignore lint/complexity/useOptionalChain: RED is undeclared until the editor's scripts ran
        typeof RED !== "undefined" && RED.nodes?.node && RED.nodes.node(id),
      CONFIG_ID,
      { timeout: 20_000 },
    );
    await page.evaluate((id: string) => RED.editor.editConfig("", "compass-config", id), CONFIG_ID);
    await page.locator("#node-config-compass-test").waitFor({ state: "visible" });
    return page;
  }

  /**
   * Clicks the button and returns the result line once the answer is in; asserts the button was
   * disabled meanwhile (a second click cannot start a second attempt) and that one request went out.
   */
  async function clickTest(page: Page): Promise<string> {
    let requests = 0;
    const count = (r: { url(): string }) => {
      if (r.url().endsWith("/compass/test-connection")) requests++;
    };
    page.on("request", count);
    await page.evaluate(() => {
      const g = globalThis as unknown as { compassDisabledSeen: boolean };
      g.compassDisabledSeen = false;
      const button = $("#node-config-compass-test")[0];
      new MutationObserver(() => {
        if (button.disabled) g.compassDisabledSeen = true;
      }).observe(button, { attributes: true });
    });
    await page.locator("#node-config-compass-test").click();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { compassDisabledSeen: boolean }).compassDisabledSeen &&
        !$("#node-config-compass-test").prop("disabled"),
      undefined,
      { timeout: 30_000 },
    );
    page.off("request", count);
    assert.equal(requests, 1, "one attempt per click");
    return (await page.locator("#node-config-compass-test-result").innerText()).trim();
  }

  it("shows 'REST v3 ok · XMPP ok · <company> · <n> users', then the rejected login for a typed wrong password; in Dutch too", async () => {
    const stack = await startEditorStack();
    stacks.push(stack);
    const page = await openConnectionDialog(stack);
    assert.equal(
      (await page.locator("#node-config-compass-test").innerText()).trim(),
      "Test connection",
      "the button is translated",
    );
    // the dialog shows the stored password as the placeholder only: the server side uses the stored one
    assert.equal(await page.locator("#node-config-input-password").inputValue(), "__PWRD__");
    assert.equal(await clickTest(page), "REST v3 ok · XMPP ok · Simulated Company BV · 5 users");

    await page.locator("#node-config-input-password").fill("not-alices-password");
    assert.equal(
      await clickTest(page),
      "REST: login rejected: check username and password · XMPP not tried. " +
        "Careful: 20 failed logins lock this IP address out for 10 minutes.",
    );
    await page.context().close();

    // a Dutch editor shows the button and the result line in Dutch (the runtime's own log stays English)
    const dutch = await openConnectionDialog(stack, "nl");
    assert.equal((await dutch.locator("#node-config-compass-test").innerText()).trim(), "Verbinding testen");
    assert.equal(await clickTest(dutch), "REST v3 ok · XMPP ok · Simulated Company BV · 5 gebruikers");
    await dutch.locator("#node-config-input-password").fill("not-alices-password");
    assert.equal(
      await clickTest(dutch),
      "REST: aanmelding geweigerd: controleer gebruikersnaam en wachtwoord · XMPP niet geprobeerd. " +
        "Let op: na 20 mislukte aanmeldingen wordt dit IP-adres 10 minuten geblokkeerd.",
    );
    await dutch.context().close();
  });

  it("a certificate for other names: red under the nodes, and the button names what the certificate holds", async () => {
    certs = await createTestCertificates(["uc.other.com", "*.other.com"]);
    const stack = await startEditorStack({
      simulator: { xmpp: { tls: { key: certs.key, cert: certs.cert } } },
      // the runtime trusts the test CA, so the name is the only thing wrong
      env: { NODE_EXTRA_CA_CERTS: certs.caCertPath },
    });
    stacks.push(stack);
    const page = await openConnectionDialog(stack);
    const triggerId = stack.nodeIds["compass-call-event"]!;
    await page.waitForFunction((id: string) => RED.nodes.node(id)?.status?.fill === "red", triggerId, {
      timeout: 20_000,
    });
    const status = await page.evaluate((id: string) => RED.nodes.node(id).status, triggerId);
    assert.deepEqual({ fill: status.fill, text: status.text }, { fill: "red", text: MISMATCH });
    assert.equal(await clickTest(page), `REST v3 ok · XMPP: ${MISMATCH}`);
    await page.context().close();
  });
});
