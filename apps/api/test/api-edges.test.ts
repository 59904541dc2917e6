/// <reference lib="dom" />
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { axeViolations, useBrowser, watchPage } from "./support/browser.js";
import { consumer, expectEnvelope } from "./support/http.js";
import { useStack } from "./support/stacks.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts/api-pages");
mkdirSync(ARTIFACTS, { recursive: true });
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const specText = () => readFile(createRequire(import.meta.url).resolve("@kubbi/openapi/openapi.yaml"), "utf8");

describe("small API edges", () => {
  const stack = useStack("redis");

  it("GET (and HEAD) on a claim's POST URL is 405 with Allow: POST, says to POST, and never counts", async () => {
    const created = await stack.producer.create({
      content: "once",
      content_type: "text/plain",
      ttl_seconds: 60,
      max_retrievals: 1,
    });
    const inspected = await consumer.inspect(created.body.claim_url);
    const pasted = inspected.body.claim.url as string; // what a person copies out of the inspect JSON
    for (const url of [
      pasted,
      `${stack.api.baseUrl}/r/${"U".repeat(43)}/claim`,
      `${stack.api.baseUrl}/r/not-a-token/claim`,
    ]) {
      for (const accept of ["application/json", BROWSER_ACCEPT]) {
        const reply = await consumer.inspect(url, { accept });
        expectEnvelope(reply, 405, "method_not_allowed");
        expect(reply.headers.get("allow")).toBe("POST");
        expect(reply.body.message).toContain("POST");
      }
      const head = await fetch(url, { method: "HEAD" });
      expect(head.status).toBe(405);
      expect(head.headers.get("allow")).toBe("POST");
    }
    expect((await stack.producer.get(created.body.id)).body).toMatchObject({ retrieval_count: 0, status: "active" });
    expect((await consumer.claim(created.body.claim_url)).status).toBe(200);
  });

  it("a method a route does not declare is 405 with Allow, before authentication and body parsing (an empty POST to a kubbi is not 415)", async () => {
    const id = "e3e70682-c209-4cac-a29f-6fbed82c07cd";
    const cases: [string, string, string][] = [
      ["POST", `/api/v1/kubbis/${id}`, "DELETE, GET, HEAD"],
      ["PUT", "/api/v1/kubbis", "GET, HEAD, POST"],
      ["OPTIONS", "/healthz", "GET, HEAD"],
      ["DELETE", `/r/${"U".repeat(43)}`, "GET, HEAD"],
      ["PATCH", `/r/${"U".repeat(43)}/claim`, "GET, HEAD, POST"],
      ["GET", "/mcp", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const reply = await fetch(`${stack.api.baseUrl}${path}`, { method });
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.headers.get("allow")).toBe(allow);
      expect(await reply.json()).toMatchObject({ error: "method_not_allowed" });
    }
    // Unknown paths stay 404, and declared methods still reach their routes (here: authentication).
    expect((await fetch(`${stack.api.baseUrl}/nowhere`, { method: "PUT" })).status).toBe(404);
    expect((await fetch(`${stack.api.baseUrl}/api/v1/kubbis/${id}`)).status).toBe(401);
  });

  it("GET / says what the server is: JSON for agents and curl, a small page under the strict CSP for browsers", async () => {
    for (const accept of ["application/json", "*/*"]) {
      const reply = await consumer.inspect(`${stack.api.baseUrl}/`, { accept });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        name: "kubbi",
        docs_url: `${stack.api.baseUrl}/docs`,
        openapi_url: `${stack.api.baseUrl}/openapi.json`,
        kubbis_url: `${stack.api.baseUrl}/api/v1/kubbis`,
      });
    }
    const page = await fetch(`${stack.api.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const html = await page.text();
    expect(html).toContain('href="/docs"');
    expect(html).toContain('href="/openapi.json"');
  });

  it("serves its contract at /openapi.json: packages/openapi/openapi.yaml, as JSON", async () => {
    const response = await fetch(`${stack.api.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(parse(await specText()));
  });

  it("serves /favicon.ico and the SVG icon, not 404", async () => {
    const ico = await fetch(`${stack.api.baseUrl}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toBe("image/x-icon");
    expect(
      Buffer.from(await ico.arrayBuffer())
        .subarray(0, 4)
        .toString("hex"),
    ).toBe("00000100"); // ICO header
    const svg = await fetch(`${stack.api.baseUrl}/assets/icon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(await svg.text()).toContain("<svg");
  });
});

describe("the API reference at /docs, in headless Chromium", () => {
  const stack = useStack("memory");
  const browser = useBrowser();

  it("renders every operation of the spec from the API's own assets: no CSP violation, no request to another origin", async () => {
    const spec = parse(await specText()) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const operationIds = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((operation) => (operation?.operationId ? [operation.operationId] : [])),
    );
    expect(operationIds.length).toBeGreaterThanOrEqual(14);

    const page = await browser.newPage();
    const watch = await watchPage(page, stack.api.baseUrl);
    const opened = await page.goto(`${stack.api.baseUrl}/docs`);
    expect(opened!.status()).toBe(200);
    const csp = opened!.headers()["content-security-policy"]!;
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'self'; style-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'sha256-[^']+' 'sha256-[^']+'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
    );
    expect(csp).not.toContain("unsafe");

    await page.locator(`[data-section-id="operation/${operationIds.at(-1)}"]`).waitFor({ timeout: 20_000 });
    for (const operationId of operationIds) {
      await expect(page.locator(`[data-section-id="operation/${operationId}"]`).count(), operationId).resolves.toBe(1);
    }
    await expect(page.locator("h1").first().textContent()).resolves.toContain("kubbi API");
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.screenshot({ path: resolve(ARTIFACTS, "docs.png") });
    await page.close();
  });

  it("the server's home page, as a browser sees it: links that work, no axe violations, nothing from elsewhere", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const watch = await watchPage(page, stack.api.baseUrl);
    await page.goto(`${stack.api.baseUrl}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("A kubbi server");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(ARTIFACTS, "home-375.png"), fullPage: true });
    await page.click("text=OpenAPI contract");
    await expect(page.evaluate(() => JSON.parse(document.body.textContent).openapi)).resolves.toBe("3.1.0");
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });
});
