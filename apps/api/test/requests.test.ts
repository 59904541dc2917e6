/**
 * Request links end to end against the real API (docs/request-links.md): the requester's SDK asks,
 * a filler delivers (SDK `fulfil`, or a real Chromium on the fill page), the requester claims and
 * decrypts. Every refusal is tried for real, and a Redis dump plus the server's keys is searched.
 */
import { createECDH, createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createResponseValidator } from "@kubbi/openapi/validator";
import { KubbiClient, fulfil, isKubbiApiError, isKubbiGoneError } from "@kubbi.ai/sdk";
import {
  EnvelopeError,
  claimTokenContext,
  deliveryContext,
  fromBase64Url,
  generateRequestKeyPair,
  openEnvelope,
  publicKeyFingerprint,
  toBase64Url,
} from "@kubbi.ai/sdk/envelope";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, useBrowser } from "./support/browser.js";
import { STORE_KINDS, dumpRedis, keysMatching, useStack, type Stack } from "./support/stacks.js";

const client = (stack: Stack, apiKey = stack.api.apiKey) =>
  new KubbiClient({ apiKey, baseUrl: stack.api.baseUrl, maxRetries: 0 });
const ask = (stack: Stack, overrides: Partial<Parameters<KubbiClient["request"]>[0]> = {}) =>
  client(stack).request({
    description: "the staging DB password, please",
    requestTtlSeconds: 600,
    ttlSeconds: 600,
    ...overrides,
  });

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

async function postJson(stack: Stack, path: string, body: unknown, apiKey = stack.api.apiKey) {
  const response = await fetch(`${stack.api.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A storage-level attack: the request's public key replaced in Redis by one the attacker holds. */
async function swapPublicKey(stack: Stack, requestId: string, publicKey: Uint8Array) {
  for (const key of await keysMatching(stack.db!, "rq:*")) {
    if ((await stack.db!.hget(key, "id")) === requestId) await stack.db!.hset(key, "pk", toBase64Url(publicKey));
  }
}

describe.each(STORE_KINDS)("request links on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it("a text request: fulfil seals, the requester claims and decrypts, the handle resumes from JSON", async () => {
    const { fillUrl, handle } = await ask(stack);
    expect(fillUrl).toMatch(new RegExp(`^${stack.api.baseUrl}/f/[A-Za-z0-9_-]{43}#k=[A-Za-z0-9_-]{43}$`));
    expect((await handle.status()).status).toBe("open");
    const delivered = await fulfil(fillUrl, { content: "pg://admin:s3cret@db" });
    expect(delivered).toMatchObject({ requestId: handle.id, status: "fulfilled" });

    const resumed = KubbiClient.resumeRequest(JSON.parse(JSON.stringify(handle)), {
      apiKey: stack.api.apiKey,
      maxRetries: 0,
    });
    expect((await resumed.wait({ pollIntervalMs: 50 })).status).toBe("fulfilled");
    const claimed = await resumed.claim();
    expect(claimed).toMatchObject({
      type: "kubbi",
      content: "pg://admin:s3cret@db",
      contentType: "text/plain",
      burned: true,
    });
  });

  it("a files request: names, types and bytes arrive exactly; inspect shows only the sealed envelope", async () => {
    const { fillUrl, handle } = await ask(stack, { kind: "files", maxFiles: 2, maxRetrievals: 2 });
    const binary = new Uint8Array(randomBytes(3000));
    await fulfil(fillUrl, {
      files: [
        { name: "prod.env", content: "TOKEN=abc" },
        { name: "cert.der", content: binary, contentType: "application/x-x509-ca-cert" },
      ],
    });
    const state = await handle.status();
    const inspected = await client(stack).get(state.kubbiId!);
    expect(inspected).toMatchObject({ type: "kubbi_package", fileCount: 1, metadata: { kubbi_request_id: handle.id } });
    expect(inspected.type === "kubbi_package" && inspected.files!.map((file) => [file.name, file.contentType])).toEqual(
      [["delivery.kubbi-envelope", "application/vnd.kubbi.envelope"]],
    );

    const claimed = await handle.claim();
    expect(claimed.type).toBe("kubbi_package");
    if (claimed.type !== "kubbi_package") return;
    expect(claimed.files.map((file) => [file.name, file.contentType, file.text])).toEqual([
      ["prod.env", "text/plain", "TOKEN=abc"],
      ["cert.der", "application/x-x509-ca-cert", null],
    ]);
    expect(Buffer.from(claimed.files[1]!.bytes).equals(Buffer.from(binary))).toBe(true);
    expect(claimed.files[1]!.sha256).toBe(createHash("sha256").update(binary).digest("hex"));
    expect(claimed.remainingReads).toBe(1);
  });

  it("a second delivery is 409 already_fulfilled and changes nothing; the fill page then says so", async () => {
    const { fillUrl, handle } = await ask(stack);
    await fulfil(fillUrl, { content: "first" });
    const second = await errorOf(fulfil(fillUrl, { content: "second" }));
    expect(isKubbiApiError(second) && [second.status, second.code]).toEqual([409, "already_fulfilled"]);
    const raw = await fetch(fillUrl.replace(/#.*/, ""), {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(200),
    });
    expect(raw.status).toBe(409);
    expect(await raw.json()).toMatchObject({ error: "already_fulfilled" });
    expect((await fetch(fillUrl.replace(/#.*/, ""))).status).toBe(409);
    expect(await handle.claim()).toMatchObject({ content: "first" });
  });

  it("a cancelled request is 410 cancelled to the filler; an expired one is 410 expired", async () => {
    const { fillUrl, handle } = await ask(stack);
    expect(await client(stack).cancelRequest(handle.id)).toEqual({ id: handle.id, status: "cancelled" });
    const cancelled = await errorOf(fulfil(fillUrl, { content: "too late" }));
    expect(isKubbiGoneError(cancelled) && [cancelled.status, cancelled.code, cancelled.reason]).toEqual([
      410,
      "cancelled",
      "cancelled",
    ]);
    await expect(handle.wait({ pollIntervalMs: 50 })).rejects.toThrow(/cancelled/);

    const short = await ask(stack, { requestTtlSeconds: 1 });
    const expiresAt = Date.parse((await short.handle.status()).expiresAt);
    while (Date.now() <= expiresAt) await new Promise((resolve) => setTimeout(resolve, 50));
    const expired = await errorOf(fulfil(short.fillUrl, { content: "too late" }));
    expect(isKubbiGoneError(expired) && [expired.status, expired.code]).toEqual([410, "expired"]);
    expect((await short.handle.status()).status).toBe("expired");
    const cancelExpired = await errorOf(client(stack).cancelRequest(short.handle.id));
    expect(isKubbiApiError(cancelExpired) && cancelExpired.status).toBe(409);
  });

  it("another key's request is 404; the fill info names the requester and nothing of its key", async () => {
    const { fillUrl, handle } = await ask(stack);
    for (const attempt of [
      client(stack, stack.api.secondApiKey).getRequest(handle.id),
      client(stack, stack.api.secondApiKey).cancelRequest(handle.id),
    ]) {
      const error = await errorOf(attempt);
      expect(isKubbiApiError(error) && error.status).toBe(404);
    }
    const info = (await (await fetch(`${fillUrl.replace(/#.*/, "")}/info`)).json()) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual([
      "description",
      "expires_at",
      "max_retrievals",
      "public_key",
      "request_id",
      "requester",
      "ttl_seconds",
      "wanted",
    ]);
    expect(info.requester).toBe("KUBBI_API_KEYS[0]");
    expect(JSON.stringify(info)).not.toContain(stack.api.apiKey);
    expect(JSON.stringify(info)).not.toMatch(/env_[0-9a-f]{16}/);
  });

  it("the fill page has the claim page's strict headers, loads only its own assets, escapes the description, and GET/HEAD never take the request", async () => {
    const { fillUrl, handle } = await ask(stack, {
      description: `<img src=x onerror=alert(1)> and "quotes" & </p><script>alert(2)</script>`,
    });
    const page = fillUrl.replace(/#.*/, "");
    for (const method of ["GET", "HEAD", "GET"]) expect((await fetch(page, { method })).status).toBe(200);
    const response = await fetch(page);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
    for (const asset of ["fill.js", "fill.css", "envelope.js"]) {
      const served = await fetch(`${stack.api.baseUrl}/assets/fill/${asset}`);
      expect(served.status, asset).toBe(200);
      expect(served.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    // The page seals with the SDK's own envelope module, byte for byte: one implementation, not a twin.
    const envelopeJs = Buffer.from(await (await fetch(`${stack.api.baseUrl}/assets/fill/envelope.js`)).arrayBuffer());
    expect(envelopeJs.equals(readFileSync(fileURLToPath(import.meta.resolve("@kubbi.ai/sdk/envelope"))))).toBe(true);
    expect((await handle.status()).status).toBe("open");
  });

  it("bad requests and bad deliveries get one clear error each and change nothing", async () => {
    const { publicKey } = await generateRequestKeyPair();
    const valid = { description: "x", public_key: toBase64Url(publicKey), request_ttl_seconds: 60, ttl_seconds: 60 };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid, description: "bell\u0007" }, /description: must be printable text/],
      [{ ...valid, description: "x".repeat(501) }, /at most 500 characters/],
      [
        { ...valid, public_key: toBase64Url(new Uint8Array(65).fill(4)) },
        /public_key: the public key is not a point on P-256/,
      ],
      [{ ...valid, wanted: { kind: "files", max_files: 99 } }, /wanted.max_files: must be at most 5/],
      [
        { ...valid, wanted: { kind: "content", max_bytes: 10 * 1024 * 1024 + 1 } },
        /wanted.max_bytes: must be at most 10485760/,
      ],
      [{ ...valid, wanted: { kind: "content", max_files: 2 } }, /wanted.max_files: applies to kind "files" only/],
      [{ ...valid, request_ttl_seconds: 0 }, /request_ttl_seconds: must be at least 1/],
      [{ ...valid, ttl_seconds: 86_401 }, /ttl_seconds: must be at most 86400/],
      [{ ...valid, surprise: 1 }, /unknown field surprise/],
    ];
    for (const [body, message] of cases) {
      const response = await postJson(stack, "/api/v1/requests", body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: "validation_error" });
      expect(String(response.body.message)).toMatch(message);
    }
    const { fillUrl, handle } = await ask(stack, { maxBytes: 1000 });
    const endpoint = fillUrl.replace(/#.*/, "");
    const post = (body: Uint8Array, type = "application/octet-stream") =>
      fetch(endpoint, { method: "POST", headers: { "content-type": type }, body: new Uint8Array(body) });
    expect((await post(new Uint8Array(200), "application/json")).status).toBe(415);
    expect(await (await post(new Uint8Array(2000))).json()).toMatchObject({ error: "payload_too_large" });
    expect(await (await post(new Uint8Array(200))).json()).toMatchObject({ error: "validation_error" });
    expect((await handle.status()).status).toBe("open");
  });
});

describe("what the server holds (redis)", () => {
  const stack = useStack("redis");

  it("a Redis dump plus the server keys cannot open the delivery: only the requester's private key does", async () => {
    const secret = `the-plaintext-${randomBytes(12).toString("hex")}`;
    const fileName = `name-${randomBytes(6).toString("hex")}.txt`;
    const { fillUrl, handle } = await ask(stack, { kind: "files" });
    await fulfil(fillUrl, { files: [{ name: fileName, content: secret }] });
    const { privateKey } = handle.toJSON();

    const dump = await dumpRedis(stack.db!);
    const everything = Buffer.concat(dump.flatMap(({ key, bytes }) => [Buffer.from(key), bytes]));
    for (const needle of [
      secret,
      fileName,
      privateKey.d!,
      Buffer.from(privateKey.d!, "base64url").toString("latin1"),
    ]) {
      expect(everything.includes(Buffer.from(needle, "latin1"))).toBe(false);
    }
    expect(stack.api.output()).not.toContain(secret);
    expect(stack.api.output()).not.toContain(fillUrl.split("/f/")[1]!.slice(0, 43));

    // Everything the server has: the request hash holds the claim token only sealed to the requester's key,
    // and the kubbi's envelope, even opened at rest, is sealed to that key too. Try every server key as one.
    const requestFields = await stack.db!.hgetallBuffer(dump.find(({ key }) => key.startsWith("rq:"))!.key);
    const sealedClaimToken = fromBase64Url(requestFields.sct!.toString("utf8"));
    const serverKeys = stack.api.serverKeys.split(",").map((entry) => Buffer.from(entry.split(":")[1]!, "base64"));
    // Each server key taken as a P-256 private key (the only shape that could open an envelope).
    const forgedKeys = serverKeys.map((serverKey) => {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(serverKey.subarray(0, 32));
      const point = ecdh.getPublicKey();
      return {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33).toString("base64url"),
        d: serverKey.subarray(0, 32).toString("base64url"),
      };
    });
    for (const forged of forgedKeys) {
      await expect(openEnvelope(forged, sealedClaimToken, claimTokenContext(handle.id))).rejects.toThrow(EnvelopeError);
    }
    // The requester, and only the requester, opens the claim token and then the envelope it claims.
    const claimToken = new TextDecoder().decode(
      await openEnvelope(privateKey, sealedClaimToken, claimTokenContext(handle.id)),
    );
    const raw = await client(stack).claim(`${stack.api.baseUrl}/r/${claimToken}`);
    const envelope = raw.type === "kubbi_package" ? raw.files[0]!.bytes : new Uint8Array();
    expect(Buffer.from(envelope).includes(Buffer.from(secret))).toBe(false);
    for (const forged of forgedKeys) {
      await expect(openEnvelope(forged, envelope, deliveryContext(handle.id))).rejects.toThrow(EnvelopeError);
    }
    expect(new TextDecoder().decode(await openEnvelope(privateKey, envelope, deliveryContext(handle.id)))).toContain(
      secret,
    );
  });

  it("a public key swapped in storage is refused by fulfil (and the fill page, below)", async () => {
    const { fillUrl, handle } = await ask(stack);
    const swapped = await generateRequestKeyPair();
    await swapPublicKey(stack, handle.id, swapped.publicKey);
    await expect(fulfil(fillUrl, { content: "for the wrong key" })).rejects.toThrow(
      /does not match the fill URL's fingerprint/,
    );
    expect((await handle.status()).status).toBe("open");
    expect(await publicKeyFingerprint(swapped.publicKey)).not.toBe(new URL(fillUrl).hash.slice(3));
  });
});

describe("a crash between the two steps of a delivery (redis)", () => {
  const stack = useStack("redis");

  async function requestKey(requestId: string): Promise<string> {
    for (const key of await stack.db!.keys("rq:*")) if ((await stack.db!.hget(key, "id")) === requestId) return key;
    throw new Error("no such request in Redis");
  }

  it("after the kubbi was written but before the request was marked: no second delivery, and the requester still claims", async () => {
    const { fillUrl, handle } = await ask(stack);
    await fulfil(fillUrl, { content: "written before the crash" });
    await stack.db!.hset(await requestKey(handle.id), "st", "fulfilling"); // as if finishFill never ran
    const second = await errorOf(fulfil(fillUrl, { content: "again" }));
    expect(isKubbiApiError(second) && second.code).toBe("already_fulfilled");
    expect((await handle.status()).status).toBe("fulfilled");
    expect(await stack.db!.hget(await requestKey(handle.id), "st")).toBe("fulfilled");
    expect(await handle.claim()).toMatchObject({ content: "written before the crash" });
  });

  it("after the request was taken but before the kubbi was written: still no second delivery; it shows as fulfilling", async () => {
    const { fillUrl, handle } = await ask(stack);
    await stack.db!.hset(await requestKey(handle.id), "st", "fulfilling", "kid", randomUUID(), "sct", "x"); // as if the process died in step 2
    const second = await errorOf(fulfil(fillUrl, { content: "again" }));
    expect(isKubbiApiError(second) && [second.status, second.code]).toEqual([409, "already_fulfilled"]);
    expect((await handle.status()).status).toBe("fulfilling");
  });
});

describe("a delivery the requester's plan refuses (memory, one active kubbi allowed)", () => {
  const stack = useStack("memory", { env: { KUBBI_MAX_ACTIVE_KUBBIS: "1" } });

  it("is refused with the plan's error and the request stays open for another try", async () => {
    const { fillUrl, handle } = await ask(stack);
    const blocker = await client(stack).send({
      content: "taking the only slot",
      contentType: "text/plain",
      ttlSeconds: 600,
    });
    const refused = await errorOf(fulfil(fillUrl, { content: "no room" }));
    expect(isKubbiApiError(refused) && [refused.status, refused.code]).toEqual([429, "quota_exceeded"]);
    expect((await handle.status()).status).toBe("open");
    await client(stack).delete(blocker.id);
    await fulfil(fillUrl, { content: "room now" });
    expect(await handle.claim()).toMatchObject({ content: "room now" });
  });
});

describe("the fill page in a real browser (redis)", () => {
  const stack = useStack("redis");
  const browser = useBrowser();

  /** A page that must never reach another origin. */
  async function openPage(url: string, width: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.route("**/*", (route) =>
      route.request().url().startsWith(stack.api.baseUrl) ? route.continue() : route.abort(),
    );
    page.on("request", (request) => expect.soft(request.url().startsWith(stack.api.baseUrl), request.url()).toBe(true));
    await page.goto(url);
    return page;
  }

  it("a person types a secret and picks a binary file on a 375 px screen; the requester gets both byte-exact", async () => {
    const { fillUrl, handle } = await ask(stack, {
      kind: "files",
      description: "Prod DB password and the TLS key, please",
    });
    const page = await openPage(fillUrl, 375);
    await expect.poll(() => page.locator("#send").isEnabled()).toBe(true);
    expect(await page.locator("h1").textContent()).toBe("KUBBI_API_KEYS[0] is asking you for files");
    expect(await page.locator("#description").textContent()).toBe("Prod DB password and the TLS key, please");
    expect(await page.locator("#limit").textContent()).toBe("10 MiB");
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
            .scrollWidth,
      ),
    ).toBeLessThanOrEqual(375);
    const binary = randomBytes(4096);
    await page.fill("#text", "correct horse battery staple");
    await page.setInputFiles("#files", { name: "tls.key", mimeType: "application/octet-stream", buffer: binary });
    await page.click("#send");
    await expect
      .poll(() => page.locator("#status").textContent())
      .toBe("Delivered, encrypted for KUBBI_API_KEYS[0]. You can close this page.");
    await page.close();

    const claimed = await handle.claim();
    expect(claimed.type).toBe("kubbi_package");
    if (claimed.type !== "kubbi_package") return;
    expect(claimed.files.map((file) => file.name)).toEqual(["message.txt", "tls.key"]);
    expect(claimed.files[0]!.text).toBe("correct horse battery staple");
    expect(Buffer.from(claimed.files[1]!.bytes).equals(binary)).toBe(true);
  });

  it("a public key swapped in storage is detected: the page refuses to send", async () => {
    const { fillUrl, handle } = await ask(stack);
    await swapPublicKey(stack, handle.id, (await generateRequestKeyPair()).publicKey);
    const page = await openPage(fillUrl, 1280);
    await expect
      .poll(() => page.locator("#status").textContent())
      .toMatch(/does not match the link\. Nothing will be sent/);
    expect(await page.locator("#send").isDisabled()).toBe(true);
    await page.close();
    expect((await handle.status()).status).toBe("open");
  });

  it("a link without its #k= fingerprint is refused too", async () => {
    const { fillUrl } = await ask(stack);
    const page = await openPage(fillUrl.replace(/#.*/, ""), 1280);
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/link is incomplete/);
    expect(await page.locator("#send").isDisabled()).toBe(true);
    await page.close();
  });

  it.each([375, 1280])(
    "passes axe-core with zero violations at %i px (form, delivered, and refused pages)",
    async (width) => {
      const { fillUrl } = await ask(stack, { kind: "files" });
      const page = await openPage(fillUrl, width);
      await expect.poll(() => page.locator("#send").isEnabled()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await page.fill("#text", "x");
      await page.click("#send");
      await expect.poll(() => page.locator("#status").textContent()).toMatch(/^Delivered/);
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(fillUrl);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    },
  );
});

describe("every request-link response matches the OpenAPI spec (redis)", () => {
  const stack = useStack("redis");
  const validator = createResponseValidator();

  async function conforms(method: string, template: string, url: string, init: RequestInit = {}) {
    const response = await fetch(url, { method, ...init });
    const body: unknown = await response.json();
    const check = validator.validateResponse(method, template, response.status, body);
    expect(check.errors, `${method} ${template} ${response.status}`).toBe("");
    return response.status;
  }

  it("requester and fill routes, success and failure", async () => {
    const auth = { authorization: `Bearer ${stack.api.apiKey}`, "content-type": "application/json" };
    const base = stack.api.baseUrl;
    const { publicKey } = await generateRequestKeyPair();
    const body = {
      description: "spec",
      public_key: toBase64Url(publicKey),
      request_ttl_seconds: 600,
      ttl_seconds: 600,
      wanted: { kind: "files", max_files: 2 },
    };
    const statuses: number[] = [];
    const created = await fetch(`${base}/api/v1/requests`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify(body),
    });
    const { id, fill_url: fillUrl } = (await created.json()) as { id: string; fill_url: string };
    expect(
      validator.validateResponse(
        "POST",
        "/api/v1/requests",
        201,
        await (
          await fetch(`${base}/api/v1/requests`, { method: "POST", headers: auth, body: JSON.stringify(body) })
        ).json(),
      ).errors,
    ).toBe("");
    const fill = fillUrl.replace(/#.*/, "");
    statuses.push(
      await conforms("POST", "/api/v1/requests", `${base}/api/v1/requests`, {
        headers: auth,
        body: JSON.stringify({ ...body, description: "" }),
      }),
    );
    statuses.push(await conforms("GET", "/api/v1/requests/{id}", `${base}/api/v1/requests/${id}`, { headers: auth }));
    statuses.push(await conforms("GET", "/f/{token}/info", `${fill}/info`));
    await fulfil(fillUrl, { files: [{ name: "a.txt", content: "a" }] });
    statuses.push(await conforms("GET", "/api/v1/requests/{id}", `${base}/api/v1/requests/${id}`, { headers: auth }));
    statuses.push(await conforms("GET", "/f/{token}/info", `${fill}/info`));
    statuses.push(
      await conforms("POST", "/f/{token}", fill, {
        headers: { "content-type": "application/octet-stream" },
        body: new Uint8Array(200),
      }),
    );
    statuses.push(
      await conforms("DELETE", "/api/v1/requests/{id}", `${base}/api/v1/requests/${id}`, { headers: auth }),
    );
    statuses.push(
      await conforms("GET", "/api/v1/requests/{id}", `${base}/api/v1/requests/${randomUUID()}`, { headers: auth }),
    );

    const other = await client(stack).request({ description: "to cancel", requestTtlSeconds: 600, ttlSeconds: 600 });
    statuses.push(
      await conforms("DELETE", "/api/v1/requests/{id}", `${base}/api/v1/requests/${other.handle.id}`, {
        headers: auth,
      }),
    );
    const otherFill = other.fillUrl.replace(/#.*/, "");
    statuses.push(await conforms("GET", "/f/{token}/info", `${otherFill}/info`));
    statuses.push(
      await conforms("POST", "/f/{token}", otherFill, {
        headers: { "content-type": "application/octet-stream" },
        body: new Uint8Array(200),
      }),
    );
    statuses.push(await conforms("GET", "/f/{token}/info", `${base}/f/${"Z".repeat(43)}/info`));

    const open = await client(stack).request({
      description: "open",
      requestTtlSeconds: 600,
      ttlSeconds: 600,
      maxBytes: 500,
    });
    const openFill = open.fillUrl.replace(/#.*/, "");
    for (const [type, size] of [
      ["text/plain", 200],
      ["application/octet-stream", 600],
      ["application/octet-stream", 200],
    ] as const) {
      statuses.push(
        await conforms("POST", "/f/{token}", openFill, {
          headers: { "content-type": type },
          body: new Uint8Array(size),
        }),
      );
    }
    expect(statuses.sort()).toEqual([200, 200, 200, 200, 400, 400, 404, 404, 409, 409, 409, 410, 410, 413, 415].sort());
  });
});
