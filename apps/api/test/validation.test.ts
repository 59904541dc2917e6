import { beforeEach, describe, expect, it } from "vitest";
import { call, expectEnvelope } from "./support/http.js";
import { STORE_KINDS, storedByRequests, useStack } from "./support/stacks.js";

const valid = { content: "hello", content_type: "text/plain", ttl_seconds: 60 };
const file = (overrides: Record<string, unknown> = {}) => ({
  name: "notes.txt",
  content: "text",
  content_type: "text/plain",
  ...overrides,
});
const pkg = (files: unknown[], extra: Record<string, unknown> = {}) => ({ files, ttl_seconds: 60, ...extra });
/** Arrays nested `depth` levels deep around a number. */
const nested = (depth: number): unknown => Array.from({ length: depth }).reduce<unknown>((inner) => [inner], 1);

/** Each case: a body, and a message that must appear among the validation messages. */
const BAD_BODIES: Array<[string, unknown, RegExp]> = [
  ["ttl below the minimum", { ...valid, ttl_seconds: 59 }, /ttl_seconds: must be at least 60/],
  ["ttl above the maximum", { ...valid, ttl_seconds: 86_401 }, /ttl_seconds: must be at most 86400/],
  ["ttl not an integer", { ...valid, ttl_seconds: 90.5 }, /ttl_seconds: must be an integer/],
  ["ttl as a string", { ...valid, ttl_seconds: "3600" }, /ttl_seconds/],
  ["ttl missing", { content: "x", content_type: "text/plain" }, /ttl_seconds: is required$/m],
  ["content_type missing", { content: "x", ttl_seconds: 60 }, /^content_type: is required$/m],
  ["file name missing", pkg([{ content: "x", content_type: "text/plain" }]), /^files\[0\]\.name: is required$/m],
  ["file content missing", pkg([{ name: "a.txt", content_type: "text/plain" }]), /^files\[0\]\.content: is required$/m],
  ["file content_type missing", pkg([{ name: "a.txt", content: "x" }]), /^files\[0\]\.content_type: is required$/m],
  ["content missing", { content_type: "text/plain", ttl_seconds: 60 }, /content: is required/],
  ["content null", { ...valid, content: null }, /content: is required/],
  [
    "unsupported single content type",
    { ...valid, content_type: "text/html" },
    /content_type: must be one of text\/plain, application\/json/,
  ],
  [
    "text/plain content that is not a string",
    { ...valid, content: { a: 1 } },
    /content: must be a string for text\/plain/,
  ],
  [
    "application/json string that is not JSON",
    { ...valid, content_type: "application/json", content: "{not json" },
    /content: must be valid JSON text/,
  ],
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
  [
    "file name with a slash",
    pkg([file({ name: "../etc/passwd" })]),
    /files\[0\]\.name: must not contain path separators/,
  ],
  [
    "file name with a backslash",
    pkg([file({ name: "..\\boot.ini" })]),
    /files\[0\]\.name: must not contain path separators/,
  ],
  ["file name ..", pkg([file({ name: ".." })]), /files\[0\]\.name: must not be "\." or "\.\."/],
  ["file name .", pkg([file({ name: "." })]), /files\[0\]\.name: must not be "\." or "\.\."/],
  [
    "file name with a control character",
    pkg([file({ name: "a\u0000b.txt" })]),
    /files\[0\]\.name: must not contain control/,
  ],
  ["file name with a newline", pkg([file({ name: "a\nb.txt" })]), /files\[0\]\.name: must not contain control/],
  ["file name empty", pkg([file({ name: "" })]), /files\[0\]\.name: must not be empty/],
  ["file name too long", pkg([file({ name: `${"a".repeat(256)}` })]), /files\[0\]\.name: must be at most 255/],
  ["duplicate file names", pkg([file(), file()]), /files\[1\]\.name: must be unique within the package/],
  [
    "file content type not a MIME type",
    pkg([file({ content_type: "not a mime" })]),
    /files\[0\]\.content_type: must be a valid MIME type/,
  ],
  [
    "file content type missing subtype",
    pkg([file({ content_type: "text/" })]),
    /files\[0\]\.content_type: must be a valid MIME type/,
  ],
  // Terminal escapes hidden in a quoted parameter: an OSC 52 clipboard write, a title change, a bell, a NUL.
  [
    "content type with ESC and BEL in a quoted parameter",
    pkg([file({ content_type: 'text/plain; x="\u001b]52;c;Y3VybCBldmlsLnNofHNo\u0007"' })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type with an OSC title change",
    pkg([file({ content_type: 'text/plain; name="\u001b]0;pwned\u001b\\"' })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type with CR LF",
    pkg([file({ content_type: "text/plain;\r\ncharset=utf-8" })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type with NUL in a quoted parameter",
    pkg([file({ content_type: 'text/plain; a="b\u0000c"' })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type with a tab",
    pkg([file({ content_type: "text/plain;\tcharset=utf-8" })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type with non-ASCII",
    pkg([file({ content_type: 'text/plain; name="\u202e"' })]),
    /files\[0\]\.content_type: must be printable ASCII only/,
  ],
  [
    "content type over 255 characters",
    pkg([file({ content_type: `text/plain; a="${"x".repeat(250)}"` })]),
    /files\[0\]\.content_type: must be at most 255 characters/,
  ],
  // File names that display as something they are not, or that file systems take for another file.
  [
    "names that differ only in case",
    pkg([file({ name: "README.md" }), file({ name: "readme.md" })]),
    /files\[1\]\.name: must be unique within the package, ignoring case/,
  ],
  [
    "names that differ only in Unicode normalization",
    pkg([file({ name: "caf\u00e9.txt" }), file({ name: "cafe\u0301.txt" })]),
    /files\[1\]\.name: must be unique within the package, ignoring case and Unicode normalization/,
  ],
  [
    "names that differ in normalization and case",
    pkg([file({ name: "CAF\u00c9.txt" }), file({ name: "cafe\u0301.TXT" })]),
    /files\[1\]\.name: must be unique/,
  ],
  [
    "a right-to-left override (U+202E)",
    pkg([file({ name: "invoice\u202efdp.exe" })]),
    /files\[0\]\.name: must not contain control, invisible or bidirectional/,
  ],
  [
    "a zero-width space (U+200B)",
    pkg([file({ name: "pay\u200broll.csv" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  [
    "a left-to-right mark (U+200E)",
    pkg([file({ name: "a\u200e.txt" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  [
    "a right-to-left mark (U+200F)",
    pkg([file({ name: "a\u200f.txt" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  [
    "a directional isolate (U+2066)",
    pkg([file({ name: "a\u2066b\u2069.txt" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  [
    "a byte order mark (U+FEFF)",
    pkg([file({ name: "\ufeffnotes.txt" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  [
    "a soft hyphen (U+00AD, another format character)",
    pkg([file({ name: "re\u00adport.pdf" })]),
    /files\[0\]\.name: must not contain control, invisible/,
  ],
  ["a C1 control (U+009B)", pkg([file({ name: "a\u009b31m.txt" })]), /files\[0\]\.name: must not contain control/],
  ["a line separator (U+2028)", pkg([file({ name: "a\u2028b.txt" })]), /files\[0\]\.name: must not contain control/],
  ["a lone surrogate", pkg([file({ name: "a\ud800.txt" })]), /files\[0\]\.name: must be valid Unicode/],
  [
    "a name of 128 characters but 256 UTF-8 bytes",
    pkg([file({ name: "\u00e9".repeat(128) })]),
    /files\[0\]\.name: must be at most 255 bytes in UTF-8/,
  ],
  // Nesting that would overflow the stack when the claim serialises it again.
  [
    "JSON content nested 65 levels deep",
    { ...valid, content_type: "application/json", content: nested(65) },
    /^content: must be nested at most 64 levels deep$/m,
  ],
  [
    "JSON text nested 65 levels deep",
    { ...valid, content_type: "application/json", content: JSON.stringify(nested(65)) },
    /^content: must be nested at most 64 levels deep$/m,
  ],
  [
    "metadata nested 65 levels deep",
    { ...valid, metadata: { deep: nested(64) } },
    /^metadata: must be nested at most 64 levels deep$/m,
  ],
  [
    "unknown role",
    pkg([file({ role: "secret" })]),
    /files\[0\]\.role: must be one of instructions, data, context, config, attachment/,
  ],
  ["unknown encoding", pkg([file({ encoding: "hex" })]), /files\[0\]\.encoding: must be "base64" or absent/],
  [
    "base64 that does not decode",
    pkg([file({ content: "not*base64!", encoding: "base64" })]),
    /files\[0\]\.content: must be valid base64/,
  ],
  [
    "base64 with bad padding",
    pkg([file({ content: "QUJD=", encoding: "base64" })]),
    /files\[0\]\.content: must be valid base64/,
  ],
  ["file content not a string", pkg([file({ content: 42 })]), /files\[0\]\.content: must be a string/],
  ["an unknown field in a file", pkg([file({ path: "/tmp" })]), /files\[0\]: unknown field path/],
];

describe.each(STORE_KINDS)("bad input on the %s store: a clear error, and nothing stored", (storeKind) => {
  const stack = useStack(storeKind, { env: { KUBBI_MIN_TTL_SECONDS: "60" } });
  let storedBefore: string;

  /** A fingerprint of everything stored, so a test can prove a rejection changed nothing. */
  async function storedState(): Promise<string> {
    if (stack.db) {
      // Rate-limit counters and the periodic jobs' turns move by design; everything else must stay still.
      const dump = await storedByRequests(stack.db);
      return JSON.stringify(dump.map((entry) => [entry.key, entry.bytes.toString("base64")]).sort());
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
    const reply = await stack.producer.create(
      pkg([
        file({ name: "a/b", role: "boss" }),
        file({ name: "b", content: "***", content_type: "not a type", encoding: "base64" }),
        file({ name: "b" }),
      ]),
    );
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages).toEqual(
      expect.arrayContaining([
        "files[0].name: must not contain path separators",
        "files[2].name: must be unique within the package, ignoring case and Unicode normalization (same as files[1].name)",
        "files[1].content: must be valid base64 when encoding is base64",
      ]),
    );
    expect(reply.body.messages.filter((message: string) => message.startsWith("files[0].name"))).toHaveLength(1);
  });

  it("a missing field says it is required, not what it must be one of", async () => {
    const reply = await stack.producer.create({ content: "x", ttl_seconds: 60 });
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages).toEqual(["content_type: is required"]);
    expect(reply.body.message).not.toContain("must be one of");
  });

  it("a JSON payload nested 100,000 levels deep is refused at create, with an Idempotency-Key too, and nothing is stored", async () => {
    const depth = 100_000;
    const body = `{"content":${"[".repeat(depth)}${"]".repeat(depth)},"content_type":"application/json","ttl_seconds":60}`;
    const variants: Array<Record<string, string>> = [
      { "content-type": "application/json" },
      { "content-type": "application/json", "idempotency-key": "deep-1" },
    ];
    for (const headers of variants) {
      const reply = await stack.producer.createRaw(body, headers);
      expectEnvelope(reply, 400, "validation_error");
      expect(reply.body.messages).toEqual(["content: must be nested at most 64 levels deep"]);
    }
    expect(await storedState()).toBe(storedBefore);
  });

  it("right at the limits is accepted: 64 levels, a 255-byte name, a quoted printable parameter; names are stored in NFC", async () => {
    const name = `${"\u00e9".repeat(125)}.txt`; // 250 + 4 bytes, 129 characters
    const created = await stack.producer.create({
      files: [
        { name, content: "x", content_type: 'text/plain; charset=utf-8; note="a (quoted) value; with = signs"' },
        { name: "cafe\u0301.txt", content: "y", content_type: "text/plain" },
      ],
      ttl_seconds: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body.files.map((entry: { name: string }) => entry.name)).toEqual([name, "caf\u00e9.txt"]);
    const json = await stack.producer.create({
      content_type: "application/json",
      content: nested(64),
      ttl_seconds: 60,
      metadata: { deep: nested(63) },
    });
    expect(json.status).toBe(201);
    const claimed = await call(`${json.body.claim_url}/claim`, { method: "POST" });
    expect(claimed.body.content).toEqual(nested(64));
    await stack.producer.remove(created.body.id);
  });

  it("reports every problem at once", async () => {
    const reply = await stack.producer.create({
      content: 1,
      content_type: "text/html",
      ttl_seconds: 5,
      max_retrievals: 0,
    });
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages.length).toBeGreaterThanOrEqual(3);
  });

  it("malformed JSON is a 400 invalid_json that never echoes the body", async () => {
    const reply = await stack.producer.createRaw('{"content": "hunter2-secret", "content_type": ', {
      "content-type": "application/json",
    });
    expectEnvelope(reply, 400, "invalid_json");
    expect(JSON.stringify(reply.body)).not.toContain("hunter2");
    expect(await storedState()).toBe(storedBefore);
  });

  it("a body that is not JSON is a 415", async () => {
    const reply = await stack.producer.createRaw("content=hello", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expectEnvelope(reply, 415, "unsupported_media_type");
    expect(await storedState()).toBe(storedBefore);
  });

  it.each([
    ["a charset other than UTF-8", { "content-type": "application/json; charset=utf-16" }],
    ["a Content-Encoding", { "content-type": "application/json", "content-encoding": "gzip" }],
    ["a Content-Encoding in capitals", { "content-type": "application/json", "content-encoding": "GZIP" }],
  ])("a JSON body with %s is a 415 that stores nothing", async (_case, headers) => {
    const reply = await stack.producer.createRaw(JSON.stringify(valid), headers);
    expectEnvelope(reply, 415, "unsupported_media_type");
    expect(await storedState()).toBe(storedBefore);
  });

  it.each([
    ["application/json; charset=utf-8", {}],
    ['application/json; charset="UTF-8"', {}],
    ["Application/JSON", {}],
    ["application/json", { "content-encoding": "identity" }],
  ])("a JSON body sent as %s %o is taken", async (contentType, headers) => {
    const reply = await stack.producer.createRaw(JSON.stringify(valid), { "content-type": contentType, ...headers });
    expect(reply.status).toBe(201);
    await stack.producer.remove(reply.body.id);
  });

  it("an empty body is a validation error", async () => {
    const reply = await stack.producer.createRaw("", { "content-type": "application/json" });
    expectEnvelope(reply, 400, "validation_error");
  });

  it.each([
    ["?page=0", /page: must be at least 1/],
    ["?page=1000001", /page: must be at most 1000000/],
    ["?page=abc", /page: must be an integer/],
    ["?limit=0", /limit: must be at least 1/],
    ["?limit=101", /limit: must be at most 100/],
    ["?limit=2.5", /limit: must be an integer/],
  ])("list with %s is a validation error", async (query, message) => {
    const reply = await stack.producer.list(query);
    expectEnvelope(reply, 400, "validation_error");
    expect(reply.body.messages.join("\n")).toMatch(message);
  });

  it.each(["not-a-uuid", "00000000-0000-4000-8000-000000000000", "../../etc/passwd"])(
    "GET and DELETE of unknown id %s are 404",
    async (id) => {
      expectEnvelope(await stack.producer.get(id), 404, "not_found");
      expectEnvelope(await stack.producer.remove(id), 404, "not_found");
    },
  );

  it("unknown routes get the envelope too", async () => {
    const reply = await fetch(`${stack.api.baseUrl}/api/v2/things`);
    expect(reply.status).toBe(404);
    expect(await reply.json()).toMatchObject({ error: "not_found" });
  });
});
