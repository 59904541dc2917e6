import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectEnvelope } from "./support/http.js";
import { STORE_KINDS, dumpRedis, useStack } from "./support/stacks.js";

const valid = { content: "hello", content_type: "text/plain", ttl_seconds: 60 };
const file = (overrides: Record<string, unknown> = {}) => ({ name: "notes.txt", content: "text", content_type: "text/plain", ...overrides });
const pkg = (files: unknown[], extra: Record<string, unknown> = {}) => ({ files, ttl_seconds: 60, ...extra });

/** Each case: a body, and a message that must appear among the validation messages. */
const BAD_BODIES: Array<[string, unknown, RegExp]> = [
  ["ttl below the minimum", { ...valid, ttl_seconds: 59 }, /ttl_seconds: must be at least 60/],
  ["ttl above the maximum", { ...valid, ttl_seconds: 86_401 }, /ttl_seconds: must be at most 86400/],
  ["ttl not an integer", { ...valid, ttl_seconds: 90.5 }, /ttl_seconds: must be an integer/],
  ["ttl as a string", { ...valid, ttl_seconds: "3600" }, /ttl_seconds/],
  ["ttl missing", { content: "x", content_type: "text/plain" }, /ttl_seconds/],
  ["content missing", { content_type: "text/plain", ttl_seconds: 60 }, /content: is required/],
  ["content null", { ...valid, content: null }, /content: is required/],
  ["unsupported single content type", { ...valid, content_type: "text/html" }, /content_type: must be one of text\/plain, application\/json/],
  ["text/plain content that is not a string", { ...valid, content: { a: 1 } }, /content: must be a string for text\/plain/],
  ["application/json string that is not JSON", { ...valid, content_type: "application/json", content: "{not json" }, /content: must be valid JSON text/],
  ["max_retrievals zero", { ...valid, max_retrievals: 0 }, /max_retrievals: must be at least 1/],
  ["max_retrievals negative", { ...valid, max_retrievals: -3 }, /max_retrievals: must be at least 1/],
  ["max_retrievals fractional", { ...valid, max_retrievals: 1.5 }, /max_retrievals: must be an integer/],
  ["metadata an array", { ...valid, metadata: [1, 2] }, /metadata: must be a JSON object or null/],
  ["metadata a string", { ...valid, metadata: "tag" }, /metadata: must be a JSON object or null/],
  ["metadata over 1 KB", { ...valid, metadata: { blob: "x".repeat(1100) } }, /metadata: must be at most 1024 bytes/],
  ["an unknown field", { ...valid, ttl: 60 }, /unknown field ttl/],
  ["both content and files", { ...valid, files: [file()] }, /either content or files, not both/],
  ["a body that is an array", [valid], /body: must be a JSON object/],
  ["a body that is a string", "hello", /body: must be a JSON object/],
  ["empty files", pkg([]), /files: must contain at least one file/],
  ["files not an array", pkg({ name: "x" } as unknown as unknown[]), /files: must be an array/],
  ["file name with a slash", pkg([file({ name: "../etc/passwd" })]), /files\[0\]\.name: must not contain path separators/],
  ["file name with a backslash", pkg([file({ name: "..\\boot.ini" })]), /files\[0\]\.name: must not contain path separators/],
  ["file name ..", pkg([file({ name: ".." })]), /files\[0\]\.name: must not be "\." or "\.\."/],
  ["file name .", pkg([file({ name: "." })]), /files\[0\]\.name: must not be "\." or "\.\."/],
  ["file name with a control character", pkg([file({ name: "a\u0000b.txt" })]), /files\[0\]\.name: must not contain control characters/],
  ["file name with a newline", pkg([file({ name: "a\nb.txt" })]), /files\[0\]\.name: must not contain control characters/],
  ["file name empty", pkg([file({ name: "" })]), /files\[0\]\.name: must not be empty/],
  ["file name too long", pkg([file({ name: `${"a".repeat(256)}` })]), /files\[0\]\.name: must be at most 255/],
  ["duplicate file names", pkg([file(), file()]), /files\[1\]\.name: must be unique within the package/],
  ["file content type not a MIME type", pkg([file({ content_type: "not a mime" })]), /files\[0\]\.content_type: must be a valid MIME type/],
  ["file content type missing subtype", pkg([file({ content_type: "text/" })]), /files\[0\]\.content_type: must be a valid MIME type/],
  ["unknown role", pkg([file({ role: "secret" })]), /files\[0\]\.role: must be one of instructions, data, context, config, attachment/],
  ["unknown encoding", pkg([file({ encoding: "hex" })]), /files\[0\]\.encoding: must be "base64" or absent/],
  ["base64 that does not decode", pkg([file({ content: "not*base64!", encoding: "base64" })]), /files\[0\]\.content: must be valid base64/],
  ["base64 with bad padding", pkg([file({ content: "QUJD=", encoding: "base64" })]), /files\[0\]\.content: must be valid base64/],
  ["file content not a string", pkg([file({ content: 42 })]), /files\[0\]\.content: must be a string/],
  ["an unknown field in a file", pkg([file({ path: "/tmp" })]), /files\[0\]: unknown field path/],
];

describe.each(STORE_KINDS)("bad input on the %s store: a clear error, and nothing stored", (storeKind) => {
  const stack = useStack(storeKind, { env: { KUBBI_MIN_TTL_SECONDS: "60" } });
  let storedBefore: string;

  /** A fingerprint of everything stored, so a test can prove a rejection changed nothing. */
  async function storedState(): Promise<string> {
    if (stack.db) {
      const dump = await dumpRedis(stack.db);
      // Rate-limit counters move on every request by design; everything else must stay still.
      return JSON.stringify(dump.filter((entry) => !entry.key.startsWith("rl:")).map((entry) => [entry.key, entry.bytes.toString("base64")]).sort());
    }
    const listed = await stack.producer.list("?limit=100");
    return JSON.stringify(listed.body.pagination.total);
  }

  beforeEach(async () => {
    storedBefore = await storedState();
  });

  it.each(BAD_BODIES)("%s", async (_name, body, message) => {
    const reply = await stack.producer.create(body);
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages.join("\n")).toMatch(message);
    expect(reply.body.message).toBe(reply.body.messages.join("; "));
    expect(await storedState()).toBe(storedBefore);
  });

  it("reports a duplicate name alongside other problems in the same package, each once", async () => {
    const reply = await stack.producer.create(pkg([file({ name: "a/b", role: "boss" }), file({ name: "b", content: "***", content_type: "not a type", encoding: "base64" }), file({ name: "b" })]));
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages).toEqual(
      expect.arrayContaining(["files[0].name: must not contain path separators", "files[2].name: must be unique within the package", "files[1].content: must be valid base64 when encoding is base64"]),
    );
    expect(reply.body.messages.filter((message: string) => message.startsWith("files[0].name"))).toHaveLength(1);
  });

  it("reports every problem at once", async () => {
    const reply = await stack.producer.create({ content: 1, content_type: "text/html", ttl_seconds: 5, max_retrievals: 0 });
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages.length).toBeGreaterThanOrEqual(3);
  });

  it("malformed JSON is a 400 invalid_json that never echoes the body", async () => {
    const reply = await stack.producer.createRaw('{"content": "hunter2-secret", "content_type": ', { "content-type": "application/json" });
    expectEnvelope(reply, 400, "invalid_json");
    expect(JSON.stringify(reply.body)).not.toContain("hunter2");
    expect(await storedState()).toBe(storedBefore);
  });

  it("a body that is not JSON is a 415", async () => {
    const reply = await stack.producer.createRaw("content=hello", { "content-type": "application/x-www-form-urlencoded" });
    expectEnvelope(reply, 415, "unsupported_media_type");
    expect(await storedState()).toBe(storedBefore);
  });

  it("an empty body is a validation error", async () => {
    const reply = await stack.producer.createRaw("", { "content-type": "application/json" });
    expectEnvelope(reply, 400, "validation_error");
  });

  it.each([
    ["?page=0", /page: must be at least 1/],
    ["?page=abc", /page: must be an integer/],
    ["?limit=0", /limit: must be at least 1/],
    ["?limit=101", /limit: must be at most 100/],
    ["?limit=2.5", /limit: must be an integer/],
  ])("list with %s is a validation error", async (query, message) => {
    const reply = await stack.producer.list(query);
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages.join("\n")).toMatch(message);
  });

  it.each(["not-a-uuid", "00000000-0000-4000-8000-000000000000", "../../etc/passwd"])("GET and DELETE of unknown id %s are 404", async (id) => {
    expectEnvelope(await stack.producer.get(id), 404, "not_found");
    expectEnvelope(await stack.producer.remove(id), 404, "not_found");
  });

  it("unknown routes get the envelope too", async () => {
    const reply = await fetch(`${stack.api.baseUrl}/api/v2/things`);
    expect(reply.status).toBe(404);
    expect(await reply.json()).toMatchObject({ error: "not_found" });
  });
});
