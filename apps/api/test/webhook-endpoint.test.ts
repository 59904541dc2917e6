import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { createResponseValidator } from "@kubbi/openapi/validator";
import { describe, expect, it } from "vitest";
import { call, expectEnvelope, type Reply } from "./support/http.js";
import { dumpRedis, useStack } from "./support/stacks.js";
import { environmentKeyId, webhookApi } from "./support/webhooks.js";

const execute = promisify(execFile);
const ADMIN = resolve(import.meta.dirname, "../dist/admin/kubbi-admin.js");

/** Every response of the webhook routes matches openapi.yaml. */
const validator = createResponseValidator();
function conforms(method: string, reply: Reply): Reply {
  const check = validator.validateResponse(method, "/api/v1/webhook", reply.status, reply.body);
  expect(check.errors, `${method} /api/v1/webhook ${reply.status}`).toBe("");
  return reply;
}

describe.each(["redis", "memory"] as const)("the webhook endpoint of an API key (%s)", (kind) => {
  const stack = useStack(kind);

  it("refuses URLs that are not https or that point to loopback, private, link-local or metadata addresses (400, nothing stored)", async () => {
    const api = webhookApi(stack);
    for (const url of [
      "http://hooks.example.com/kubbi",
      "https://127.0.0.1/hook",
      "https://localhost:8443/hook",
      "https://[::1]/hook",
      "https://10.0.0.8/hook",
      "https://192.168.0.2/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://100.100.100.200/",
      "https://[fd00:ec2::254]/",
    ]) {
      const reply = conforms("PUT", await api.put({ url }));
      expectEnvelope(reply, 400, "validation_error");
      expect(reply.body.messages[0]).toMatch(/^url: must (use https|not point to)/);
    }
    expectEnvelope(
      await api.put({ url: "https://hooks.example.com/", events: ["kubbi.opened"] }),
      400,
      "validation_error",
    );
    expectEnvelope(await api.put({ url: "https://hooks.example.com/", events: [] }), 400, "validation_error");
    expectEnvelope(await api.put({ url: "https://hooks.example.com/", extra: 1 }), 400, "validation_error");
    expectEnvelope(conforms("GET", await api.get()), 404, "not_found");
  });

  it("shows the whsec_ secret once when created or rotated, never on GET, and deletes", async () => {
    const api = webhookApi(stack, stack.api.secondApiKey);
    const created = conforms(
      "PUT",
      await api.put({
        url: "https://hooks.example.com/kubbi",
        events: ["kubbi.claimed", "kubbi.expired"],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: "https://hooks.example.com/kubbi",
      events: ["kubbi.claimed", "kubbi.expired"],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    });
    const { secret } = created.body;

    const shown = conforms("GET", await api.get());
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      url: "https://hooks.example.com/kubbi",
      events: ["kubbi.claimed", "kubbi.expired"],
      created_at: created.body.created_at,
      updated_at: created.body.updated_at,
    });

    const changed = conforms("PUT", await api.put({ url: "https://other.example.com/kubbi" }));
    expect(changed.status).toBe(200);
    expect(changed.body).not.toHaveProperty("secret");
    expect(changed.body.events).toBeNull();

    const rotated = conforms("PUT", await api.put({ url: "https://other.example.com/kubbi", rotate_secret: true }));
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);

    if (stack.db) {
      // Stored sealed: neither secret, nor its key bytes, is anywhere in Redis.
      const stored = Buffer.concat(
        (await dumpRedis(stack.db)).map(({ key, bytes }) => Buffer.concat([Buffer.from(key), bytes])),
      );
      for (const made of [secret, rotated.body.secret]) {
        expect(stored.includes(made)).toBe(false);
        expect(stored.includes(Buffer.from(made.slice("whsec_".length), "base64"))).toBe(false);
      }
    }

    // The other key has its own endpoint, or none.
    expectEnvelope(await webhookApi(stack).get(), 404, "not_found");
    expect(conforms("DELETE", await api.remove()).body).toEqual({ deleted: true });
    expectEnvelope(await api.get(), 404, "not_found");
    expectEnvelope(await api.remove(), 404, "not_found");
  });

  it("answers 405 for other methods and 401 without a key", async () => {
    const url = `${stack.api.baseUrl}/api/v1/webhook`;
    const post = await call(url, { method: "POST" });
    expectEnvelope(post, 405, "method_not_allowed");
    expect(post.headers.get("allow")).toBe("DELETE, GET, HEAD, PUT");
    expectEnvelope(await call(url), 401, "unauthorized");
  });
});

describe("kubbi-admin webhook", () => {
  const stack = useStack("redis");

  it("sets a key's endpoint (secret once, on stdout), shows it without the secret, refuses a private URL, deletes it", async () => {
    const env = { PATH: process.env.PATH, REDIS_URL: stack.redis!.url, KUBBI_KEYS: stack.api.serverKeys };
    const admin = (...args: string[]) => execute(process.execPath, [ADMIN, "webhook", ...args], { env });
    const keyId = environmentKeyId(stack.api.apiKey);

    const set = await admin("set", keyId, "https://hooks.example.com/kubbi", "--events", "kubbi.claimed,kubbi.burned");
    const secret = set.stdout.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(set.stderr).toContain("shown once");

    const shown = await admin("show", keyId);
    expect(shown.stdout).toMatch(/url\s+https:\/\/hooks\.example\.com\/kubbi\nevents\s+kubbi\.claimed,kubbi\.burned\n/);
    expect(shown.stdout + shown.stderr).not.toContain(secret);
    // The API sees what the admin command set.
    expect((await webhookApi(stack).get()).body.events).toEqual(["kubbi.claimed", "kubbi.burned"]);

    const again = await admin("set", keyId, "https://hooks.example.com/v2");
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("signing secret is unchanged");
    expect((await admin("set", keyId, "https://hooks.example.com/v2", "--rotate-secret")).stdout.trim()).toMatch(
      /^whsec_/,
    );

    await expect(admin("set", keyId, "https://169.254.169.254/")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("must not point to a loopback, private, link-local or metadata address"),
    });
    await expect(admin("set", "key_missing", "https://hooks.example.com/")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no key with id key_missing"),
    });
    await expect(
      execute(process.execPath, [ADMIN, "webhook", "set", keyId, "https://hooks.example.com/"], {
        env: { PATH: process.env.PATH, REDIS_URL: stack.redis!.url },
      }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("needs KUBBI_KEYS") });

    expect((await admin("delete", keyId)).stderr).toContain(`deleted the webhook of ${keyId}`);
    expectEnvelope(await webhookApi(stack).get(), 404, "not_found");
    await expect(admin("show", keyId)).rejects.toMatchObject({ code: 2 });
  });
});
