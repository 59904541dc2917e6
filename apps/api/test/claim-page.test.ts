import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS, startStack, useStack, type Stack } from "./support/stacks.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts/claim-page");
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const UNFURLERS = [
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com (Teams)",
  "Microsoft Office Outlook (Safe Links) BingPreview/1.0b",
  "curl/8.5.0",
];

describe.each(STORE_KINDS)("the claim page for people, on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it("link unfurlers and scanners (GET and HEAD, HTML or not) never consume", async () => {
    const created = await stack.producer.create({ content: "for a human", content_type: "text/plain", ttl_seconds: 60, max_retrievals: 1 });
    for (const agent of UNFURLERS) {
      for (const accept of [BROWSER_ACCEPT, "*/*"]) {
        for (const method of ["GET", "HEAD"]) {
          const response = await fetch(created.body.claim_url, { method, headers: { "user-agent": agent, accept } });
          expect(response.status).toBe(200);
        }
      }
    }
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 0, status: "active" });
  });

  it("serves the page with strict headers, no third-party origins and everything escaped", async () => {
    const hostileName = `<img src=x onerror=alert(1)>.txt`;
    const created = await stack.producer.create({
      files: [{ name: hostileName, content: "x", content_type: "text/plain" }],
      ttl_seconds: 60,
      metadata: { note: "</pre><script>alert(2)</script>" },
    });
    const response = await fetch(created.body.claim_url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;.txt");
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script bodies
  });

  it("gone, expired and unknown links get plain pages with the right status", async () => {
    const created = await stack.producer.create({ content: "once", content_type: "text/plain", ttl_seconds: 60, max_retrievals: 1 });
    await fetch(`${created.body.claim_url}/claim`, { method: "POST" });
    const burned = await fetch(created.body.claim_url, { headers: { accept: BROWSER_ACCEPT } });
    expect(burned.status).toBe(410);
    expect(await burned.text()).toContain("Already claimed");
    const deletedKubbi = await stack.producer.create({ content: "cancel", content_type: "text/plain", ttl_seconds: 60 });
    await stack.producer.remove(deletedKubbi.body.id);
    const deleted = await fetch(deletedKubbi.body.claim_url, { headers: { accept: BROWSER_ACCEPT } });
    expect(deleted.status).toBe(410);
    expect(await deleted.text()).toContain("cancelled");
    const unknown = await fetch(`${stack.api.baseUrl}/r/${"U".repeat(43)}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await unknown.text()).toContain("Nothing here");
  });
});

describe("the claim page in a real browser (headless Chromium)", () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack("redis");
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("open the link, claim a package, download the files, then see the gone page", async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x20]);
    const created = await stack.producer.create({
      files: [
        { name: "instructions.md", content: "# Review\nApprove or reject the draft.", content_type: "text/markdown", role: "instructions" },
        { name: "draft.json", content: '{"title":"Q3 report"}', content_type: "application/json", role: "data" },
        { name: "chart.png", content: binary.toString("base64"), content_type: "image/png", role: "attachment", encoding: "base64" },
      ],
      ttl_seconds: 3600,
      max_retrievals: 1,
      metadata: { from: "drafting-agent" },
    });
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const externalRequests: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(stack.api.baseUrl) && !request.url().startsWith("blob:")) externalRequests.push(request.url());
    });

    const opened = await page.goto(created.body.claim_url);
    expect(opened!.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toContain("3 files waiting for you");
    await expect(page.locator(".manifest").textContent()).resolves.toContain("chart.png");
    await page.screenshot({ path: resolve(ARTIFACTS, "1-waiting.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body.retrieval_count).toBe(0);

    await page.click("#claim");
    await page.waitForSelector("#result:not([hidden])");
    await expect(page.locator("#status").textContent()).resolves.toContain("used up");
    await page.screenshot({ path: resolve(ARTIFACTS, "2-claimed.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 1, status: "burned" });

    const [single] = await Promise.all([page.waitForEvent("download"), page.locator(".file", { hasText: "chart.png" }).locator("button").click()]);
    expect(single.suggestedFilename()).toBe("chart.png");
    expect((await readFile((await single.path())!)).equals(binary)).toBe(true);
    const [all] = await Promise.all([page.waitForEvent("download"), page.click("#download-all")]);
    expect(all.suggestedFilename()).toBe("kubbi-package.zip");
    const zipped = await readFile((await all.path())!);
    expect(zipped.subarray(0, 4).toString("hex")).toBe("504b0304");
    expect(zipped.includes(binary)).toBe(true);
    expect(zipped.includes(Buffer.from("draft.json"))).toBe(true);

    const again = await page.goto(created.body.claim_url);
    expect(again!.status()).toBe(410);
    await expect(page.locator("h1").textContent()).resolves.toBe("Already claimed");
    await page.screenshot({ path: resolve(ARTIFACTS, "3-gone.png"), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(externalRequests).toEqual([]);
    await context.close();
  });

  it("claims a text payload and shows it with a copy button", async () => {
    const created = await stack.producer.create({ content: "deploy token: s3cr3t-value", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 2 });
    const context = await browser.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.api.baseUrl });
    const page = await context.newPage();
    await page.goto(created.body.claim_url);
    await expect(page.locator("#remaining").textContent()).resolves.toBe("2 of 2 retrievals left");
    await page.click("#claim");
    await page.waitForSelector("#content");
    await expect(page.locator("#content").textContent()).resolves.toBe("deploy token: s3cr3t-value");
    await page.click("#copy");
    // The clipboard write is asynchronous: wait for the button to say it is done.
    await page.locator("#copy", { hasText: "Copied" }).waitFor({ timeout: 10_000 });
    await expect(page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).resolves.toBe("deploy token: s3cr3t-value");
    await page.screenshot({ path: resolve(ARTIFACTS, "4-text-claimed.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body.retrieval_count).toBe(1);
    await context.close();
  });
});
