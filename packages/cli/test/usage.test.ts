/** A newcomer's edges, run in process: bad flags, and which API a key is sent to when none is configured. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startFakeApi } from "./fake-api.js";
import { runMain } from "./in-process.js";

const KEY = `kb_${"k".repeat(43)}`;

describe("bad flags and arguments", () => {
  it("kubbi send --bogus prints one line saying what is wrong, then the command's usage", async () => {
    const result = await runMain(["send", "--bogus"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'kubbi send: unknown option --bogus\nUsage: kubbi send FILE... [options]\n       kubbi send - [options] < input\nRun "kubbi send --help" for every option.\n',
    });
  });

  it.each([
    [["send", "-", "--ttl"], "kubbi send: option --ttl needs a value"],
    [["list", "--json=yes"], "kubbi list: option --json takes no value"],
    [["claim", "-x", "url"], "kubbi claim: unknown option -x"],
    [["get"], "kubbi get: wrong number of arguments"],
    [["inspect", "a", "b"], "kubbi inspect: wrong number of arguments"],
  ])("%j: %s, then the usage", async (args, line) => {
    const result = await runMain(args);
    expect(result.code).toBe(2);
    const [first, second] = result.stderr.split("\n");
    expect(first).toBe(line);
    expect(second).toMatch(new RegExp(`^Usage: kubbi ${args[0]} `));
    expect(result.stderr).not.toMatch(/positional|ERR_PARSE_ARGS|TypeError/);
  });
});

describe("a bare token that begins with a dash", () => {
  // Our server never mints one now, but older servers did (1 in 64): it is still an argument, never an option.
  const token = `-${"A".repeat(42)}`;

  it.each([
    [["inspect", token, "--base-url", "ORIGIN"]],
    [["inspect", "--json", token, "--base-url", "ORIGIN"]],
    [["claim", "--base-url", "ORIGIN", token]],
    [["claim", "--base-url", "ORIGIN", "--", token]],
  ])("%j reaches the API with the token (a 404 here), not a usage error", async (args) => {
    const api = await startFakeApi({});
    try {
      const result = await runMain(args.map((arg) => (arg === "ORIGIN" ? api.origin : arg)));
      expect(result.stderr).not.toMatch(/unknown option|Usage:/);
      expect(result.code).toBe(3);
      expect(api.hits(`GET /r/${token}`)).toBe(1);
    } finally {
      await api.close();
    }
  });
});

describe("the hosted service as the default base URL", () => {
  const requested: string[] = [];
  // Nothing leaves the machine: every request is recorded and answered 401 here.
  const offline = async (input: string | URL | Request) => {
    requested.push(String(input));
    return Response.json(
      { error: "unauthorized", message: "Unknown API key", messages: [], request_id: null },
      { status: 401 },
    );
  };
  afterEach(() => {
    vi.unstubAllGlobals();
    requested.length = 0;
  });

  it("with a key and no KUBBI_BASE_URL, says on stderr which base URL it sends the key to", async () => {
    vi.stubGlobal("fetch", offline);
    const result = await runMain(["list"], { env: { KUBBI_API_KEY: KEY } });
    expect(result.code).toBe(5);
    expect(result.stderr.split("\n")[0]).toBe(
      "kubbi: using https://api.kubbi.ai, the hosted service (set KUBBI_BASE_URL or --base-url to use your own server)",
    );
    expect(requested).toEqual(["https://api.kubbi.ai/api/v1/kubbis?page=1&limit=20"]);
  });

  it("says nothing when a base URL is configured, or when no key is set", async () => {
    vi.stubGlobal("fetch", offline);
    for (const [args, env] of [
      [["list"], { KUBBI_API_KEY: KEY, KUBBI_BASE_URL: "https://kubbi.internal.example" }],
      [["list", "--base-url", "https://kubbi.internal.example"], { KUBBI_API_KEY: KEY }],
      [["list"], {}],
    ] as const) {
      const result = await runMain([...args], { env });
      expect(result.stderr).not.toMatch(/using https:\/\/api\.kubbi\.ai/);
    }
    expect(requested.every((url) => url.startsWith("https://kubbi.internal.example/"))).toBe(true);
  });
});
