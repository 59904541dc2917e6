/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, useBrowser, watchPage } from "./support/browser.js";
import { STORE_KINDS, useStack } from "./support/stacks.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts/claim-page");
mkdirSync(ARTIFACTS, { recursive: true });
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
    const created = await stack.producer.create({
      content: "for a human",
      content_type: "text/plain",
      ttl_seconds: 60,
      max_retrievals: 1,
    });
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
    const created = await stack.producer.create({
      content: "once",
      content_type: "text/plain",
      ttl_seconds: 60,
      max_retrievals: 1,
    });
    await fetch(`${created.body.claim_url}/claim`, { method: "POST" });
    const burned = await fetch(created.body.claim_url, { headers: { accept: BROWSER_ACCEPT } });
    expect(burned.status).toBe(410);
    expect(await burned.text()).toContain("Already claimed");
    const deletedKubbi = await stack.producer.create({
      content: "cancel",
      content_type: "text/plain",
      ttl_seconds: 60,
    });
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
  const stack = useStack("redis");
  const browser = useBrowser();

  it("open the link, claim a package, download the files, then see the gone page", async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x20]);
    const created = await stack.producer.create({
      files: [
        {
          name: "instructions.md",
          content: "# Review\nApprove or reject the draft.",
          content_type: "text/markdown",
          role: "instructions",
        },
        { name: "draft.json", content: '{"title":"Q3 report"}', content_type: "application/json", role: "data" },
        {
          name: "chart.png",
          content: binary.toString("base64"),
          content_type: "image/png",
          role: "attachment",
          encoding: "base64",
        },
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
      if (!request.url().startsWith(stack.api.baseUrl) && !request.url().startsWith("blob:"))
        externalRequests.push(request.url());
    });

    const opened = await page.goto(created.body.claim_url);
    expect(opened!.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toContain("3 files waiting for you");
    await expect(page.locator(".manifest").textContent()).resolves.toContain("chart.png");
    await page.screenshot({ path: resolve(ARTIFACTS, "1-waiting.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body.retrieval_count).toBe(0);

    await page.click("#claim");
    await page.waitForSelector("#result:not([hidden])");
    await expect(page.locator("h1").textContent()).resolves.toContain("used up");
    await expect(page.locator("#status").textContent()).resolves.toContain("cannot be shown again");
    await page.screenshot({ path: resolve(ARTIFACTS, "2-claimed.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 1, status: "burned" });

    const [single] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(".file", { hasText: "chart.png" }).locator("button").click(),
    ]);
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
    const created = await stack.producer.create({
      content: "deploy token: s3cr3t-value",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 2,
    });
    const context = await browser.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.api.baseUrl });
    const page = await context.newPage();
    await page.goto(created.body.claim_url);
    await expect(page.locator("#remaining").textContent()).resolves.toBe("2 retrievals left");
    await page.click("#claim");
    await page.waitForSelector("#content");
    await expect(page.locator("#content").textContent()).resolves.toBe("deploy token: s3cr3t-value");
    await page.click("#copy");
    // The clipboard write is asynchronous: wait for the button to say it is done.
    await page.locator("#copy", { hasText: "Copied" }).waitFor({ timeout: 10_000 });
    await expect(
      page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).resolves.toBe("deploy token: s3cr3t-value");
    await page.screenshot({ path: resolve(ARTIFACTS, "4-text-claimed.png"), fullPage: true });
    expect((await stack.producer.get(created.body.id)).body.retrieval_count).toBe(1);
    await context.close();
  });
});

/** Horizontal overflow of the whole page, in CSS pixels (0 when nothing sticks out). */
const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);

/**
 * Words drawn across more than one line, measured in the page: each word of the visible text in `main`
 * is a Range, and a word whose client rects sit on different lines was broken. A word ends at white
 * space, or after a hyphen or slash, where a line may break without splitting one ("application/",
 * "json"); "Si|ze" or "config.js|on" are what this catches.
 */
const wordsBrokenAcrossLines = (page: Page, except: string[] = []) =>
  page.evaluate((allowed) => {
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.querySelector("main")!, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement?.checkVisibility() || node.parentElement.closest(".visually-hidden, thead")) continue;
      for (const match of node.textContent!.matchAll(/[^\s/-]+[/-]*|[/-]+/g)) {
        if (allowed.includes(match[0])) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lineTops = new Set(
          [...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)),
        );
        if (lineTops.size > 1) broken.push(match[0]);
      }
    }
    return broken;
  }, except);

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? "").replace(/\s+/g, " ").trim();

describe("the claim page on a desktop and on a phone (headless Chromium: layout measured in the page, axe-core)", () => {
  const stack = useStack("memory");
  const browser = useBrowser();

  // Too long for a phone's line: the one thing allowed to wrap inside (file names wrap anywhere, as a last resort).
  const LONG_NAME = "quarterly_revenue_forecast_by_region_and_product_line_2026_final.xlsx";
  const LONG_NAME_WORDS = [LONG_NAME];
  const VIEWPORTS = [
    { name: "desktop", width: 1280, height: 800 },
    { name: "phone", width: 375, height: 740 },
  ];

  for (const viewport of VIEWPORTS) {
    it(`${viewport.width} px: a one-time package before and after Claim, by keyboard: no overflow, no broken words, plain wording, no axe violations`, async () => {
      const created = await stack.producer.create({
        files: [
          {
            name: "instructions.md",
            content: "# Deploy\nRun it.",
            content_type: "text/markdown",
            role: "instructions",
          },
          { name: "config.json", content: '{"env":"prod"}', content_type: "application/json", role: "config" },
          { name: "logo.png", content: "iVBORw0KGgo=", content_type: "image/png", encoding: "base64" },
          {
            name: LONG_NAME,
            content: "x",
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            role: "data",
          },
        ],
        ttl_seconds: 3600,
        max_retrievals: 1,
      });
      const context = await browser.newContext({ viewport, acceptDownloads: true });
      const page = await context.newPage();
      const watch = await watchPage(page, stack.api.baseUrl);
      await page.goto(created.body.claim_url);

      // Before: what is waiting, what kubbi is, and the burn warning loudest, right above the button.
      expect(await text(page, "h1")).toBe("4 files waiting for you");
      expect(await text(page, ".about")).toMatch(/^kubbi is a secure handoff service: .*shown once/);
      expect(await text(page, "#remaining")).toBe("1 retrieval left");
      expect(await text(page, "#warning")).toContain("Claiming burns this handoff for everyone.");
      const warning = await page.locator("#warning").evaluate((element) => {
        const style = getComputedStyle(element);
        const strong = getComputedStyle(element.querySelector("strong")!);
        return {
          nextIsButton: element.nextElementSibling?.id === "claim",
          fontSize: parseFloat(style.fontSize),
          bodySize: parseFloat(getComputedStyle(document.body).fontSize),
          weight: Number(strong.fontWeight),
          background: style.backgroundColor,
        };
      });
      expect(warning.nextIsButton).toBe(true);
      expect(warning.fontSize).toBeGreaterThan(warning.bodySize);
      expect(warning.weight).toBeGreaterThanOrEqual(700);
      expect(warning.background).not.toBe("rgba(0, 0, 0, 0)");
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await wordsBrokenAcrossLines(page, LONG_NAME_WORDS)).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, `${viewport.name}-1-waiting.png`), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);

      // Claim with the keyboard alone: Tab to the button, press Enter.
      let focused = "";
      for (let presses = 0; presses < 20 && focused !== "claim"; presses++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate(() => document.activeElement?.id ?? "");
      }
      expect(focused).toBe("claim");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#result:not([hidden])");

      // After: the heading says what happened, success is a styled state, and the page still fits.
      expect(await text(page, "h1")).toBe("Claimed: this link is now used up");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("heading");
      expect(await page.locator("#status").getAttribute("class")).toBe("notice success");
      expect(await text(page, "#status")).toContain("cannot be shown again");
      expect(await text(page, "#remaining")).toBe("no retrievals left");
      await expect(page.locator("#warning").isVisible()).resolves.toBe(false);
      await expect(page.locator("#claim").isVisible()).resolves.toBe(false);
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await wordsBrokenAcrossLines(page, LONG_NAME_WORDS)).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, `${viewport.name}-2-claimed.png`), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 1, status: "burned" });
      expect(await watch.cspViolations()).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await context.close();
    });
  }

  it("375 px, dark colour scheme: a JSON payload with retrievals to spare reads right and passes axe before and after", async () => {
    const created = await stack.producer.create({
      content: { env: "prod", replicas: 3 },
      content_type: "application/json",
      ttl_seconds: 600,
      max_retrievals: 2,
    });
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto(created.body.claim_url);
    expect(await text(page, ".summary")).toMatch(/^An application\/json payload of \d+ B\.$/);
    expect(await text(page, "#remaining")).toBe("2 retrievals left");
    expect(await text(page, "#warning")).toBe("Claiming uses one of the 2 retrievals left.");
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await wordsBrokenAcrossLines(page)).toEqual([]);
    await page.screenshot({ path: resolve(ARTIFACTS, "phone-dark-1-waiting.png"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.click("#claim");
    await page.waitForSelector("#content");
    expect(await text(page, "h1")).toBe("Claimed");
    expect(await text(page, "#status")).toBe("Here it is. The link has 1 retrieval left.");
    expect(await text(page, "#remaining")).toBe("1 retrieval left");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: resolve(ARTIFACTS, "phone-dark-2-claimed.png"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('a text/plain payload says "A text/plain payload"; claimed elsewhere meanwhile, Claim shows the gone page; a network failure is a styled error', async () => {
    const created = await stack.producer.create({
      content: "hello",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(created.body.claim_url);
    expect(await text(page, ".summary")).toBe("A text/plain payload of 5 B.");

    // The network fails: nothing was shown, the button works again, and the page says so.
    await page.route("**/claim", (route) => route.abort());
    await page.click("#claim");
    await page.locator("#status.notice.error").waitFor();
    expect(await text(page, "#status")).toBe("The claim could not reach the server. Nothing was shown; try again.");
    await expect(page.locator("#claim").isEnabled()).resolves.toBe(true);
    await page.screenshot({ path: resolve(ARTIFACTS, "phone-3-failed.png"), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.unroute("**/claim");

    // Someone else claims first: this page's Claim now lands on the page that says it is gone.
    expect((await fetch(`${created.body.claim_url}/claim`, { method: "POST" })).status).toBe(200);
    await Promise.all([page.waitForEvent("load"), page.click("#claim")]);
    expect(await text(page, "h1")).toBe("Already claimed");
    await context.close();
  });
});
