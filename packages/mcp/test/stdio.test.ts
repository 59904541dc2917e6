/** The built bin over stdio, driven by the MCP SDK's own client, against the live API. */
import { createHash } from "node:crypto";
import { KubbiClient } from "@kubbi.ai/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, callError, callOk, sendInspectClaimTwice, startCountingServer } from "./helpers.js";

const { baseUrl, apiKey } = inject("kubbi");

async function connect(env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN], env: { PATH: process.env.PATH ?? "", ...env }, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = new Client({ name: "kubbi-mcp-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe("with an API key", () => {
  let client: Client;
  let stderr: () => string;
  beforeAll(async () => ({ client, stderr } = await connect({ KUBBI_API_KEY: apiKey, KUBBI_BASE_URL: baseUrl })));
  afterAll(() => client.close());

  it("lists the seven tools with schemas and the right annotations", async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(["kubbi_claim", "kubbi_delete", "kubbi_get", "kubbi_inspect", "kubbi_list", "kubbi_send", "kubbi_send_files"]);
    for (const tool of tools) {
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.description?.length, tool.name).toBeGreaterThan(100);
    }
    expect(byName.get("kubbi_inspect")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_get")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_list")?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("kubbi_claim")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("kubbi_delete")?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("kubbi_claim")?.description).toMatch(/kubbi_inspect/);
    expect(byName.get("kubbi_send_files")?.description).toMatch(/base64/);
  });

  it("send → inspect → claim → a second claim is a burned tool error", async () => {
    await sendInspectClaimTwice(client, baseUrl);
  });

  it("logs to stderr only: stdout carries nothing but the protocol", () => {
    // Any stray stdout line would have broken the JSON-RPC stream the client just used.
    expect(stderr()).toContain(`serving over stdio for ${baseUrl}`);
  });

  it("sends JSON as a parsed value", async () => {
    const sent = await callOk<{ claim_url: string }>(client, "kubbi_send", { content: '{"order": 7, "ok": true}', content_type: "application/json" });
    const claimed = await callOk(client, "kubbi_claim", { claim_url: sent.claim_url });
    expect(claimed).toMatchObject({ content_type: "application/json", content: { order: 7, ok: true } });
  });

  it("carries binary files as base64 and text files as text, byte for byte", async () => {
    const binary = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 0x89, 0x50, 0x4e, 0x47]);
    const sent = await callOk<{ claim_url: string; files: { name: string; sha256: string; size_bytes: number }[] }>(client, "kubbi_send_files", {
      files: [
        { name: "README.md", content: "# héllo\n", content_type: "text/markdown", role: "instructions" },
        { name: "blob.bin", content: binary.toString("base64"), content_type: "application/octet-stream", encoding: "base64", role: "attachment" },
      ],
      max_retrievals: 2,
    });
    const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
    expect(sent.files).toEqual([
      { name: "README.md", content_type: "text/markdown", size_bytes: Buffer.byteLength("# héllo\n"), role: "instructions", sha256: sha(Buffer.from("# héllo\n")) },
      { name: "blob.bin", content_type: "application/octet-stream", size_bytes: binary.length, role: "attachment", sha256: sha(binary) },
    ]);

    const info = await callOk(client, "kubbi_inspect", { claim_url: sent.claim_url });
    expect(info).toMatchObject({ type: "kubbi_package", file_count: 2, remaining_reads: 2, files: sent.files });

    const claimed = await callOk<{ burned: boolean; files: { name: string; content: string; encoding: string | null; sha256: string }[] }>(client, "kubbi_claim", { claim_url: sent.claim_url });
    expect(claimed.burned).toBe(false);
    const [text, blob] = claimed.files;
    expect(text).toMatchObject({ name: "README.md", content: "# héllo\n", encoding: null });
    expect(blob).toMatchObject({ name: "blob.bin", encoding: "base64" });
    expect(Buffer.from(blob!.content, "base64")).toEqual(binary);
  });

  it("get, list and delete manage the key's kubbis; a deleted kubbi's claim says deleted", async () => {
    const sent = await callOk<{ id: string; claim_url: string }>(client, "kubbi_send", { content: "to be revoked", max_retrievals: null });
    expect(await callOk(client, "kubbi_get", { id: sent.id })).toMatchObject({ id: sent.id, status: "active", max_retrievals: null, remaining_reads: null, first_retrieved_at: null });

    const list = await callOk<{ kubbis: { id: string }[]; pagination: { page: number; limit: number } }>(client, "kubbi_list", { limit: 100 });
    expect(list.pagination).toMatchObject({ page: 1, limit: 100 });
    expect(list.kubbis[0]?.id).toBe(sent.id); // newest first

    expect(await callOk(client, "kubbi_delete", { id: sent.id })).toEqual({ id: sent.id, status: "deleted" });
    expect(await callError(client, "kubbi_claim", { claim_url: sent.claim_url })).toMatchObject({ code: "deleted", status: 410 });
    expect(await callOk(client, "kubbi_get", { id: sent.id })).toMatchObject({ status: "deleted" });
    expect(await callError(client, "kubbi_delete", { id: sent.id })).toMatchObject({ code: "conflict", status: 409 });
  });

  it("returns the API's validation messages as a tool error", async () => {
    const error = await callError(client, "kubbi_send", { content: "x", ttl_seconds: 999_999 });
    expect(error).toMatchObject({ code: "validation_error", status: 400 });
    expect(error.messages?.join(" ")).toMatch(/ttl_seconds/);
    expect(await callError(client, "kubbi_send", { content: "{not json", content_type: "application/json" })).toMatchObject({ code: "validation_error" });
  });

  it("returns not_found for unknown claim URLs and ids", async () => {
    expect(await callError(client, "kubbi_inspect", { claim_url: `${baseUrl}/r/${"A".repeat(43)}` })).toMatchObject({ code: "not_found", status: 404 });
    expect(await callError(client, "kubbi_get", { id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ code: "not_found" });
  });

  it("refuses a claim URL on another host without contacting it", async () => {
    const elsewhere = await startCountingServer();
    try {
      const error = await callError(client, "kubbi_claim", { claim_url: `${elsewhere.origin}/r/${"A".repeat(43)}` });
      expect(error).toMatchObject({ code: "origin_not_allowed" });
      expect(await callError(client, "kubbi_inspect", { claim_url: `${elsewhere.origin}/r/${"A".repeat(43)}` })).toMatchObject({ code: "origin_not_allowed" });
      expect(elsewhere.hits()).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("rejects arguments that break the input schema before calling the API", async () => {
    const result = await client.callTool({ name: "kubbi_send_files", arguments: { files: [] } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/files/);
  });
});

describe("without an API key", () => {
  let client: Client;
  let stderr: () => string;
  beforeAll(async () => ({ client, stderr } = await connect({ KUBBI_BASE_URL: baseUrl })));
  afterAll(() => client.close());

  it("still inspects and claims, and says why the producer tools fail", async () => {
    expect(stderr()).toContain("no KUBBI_API_KEY");
    const sent = await new KubbiClient({ apiKey, baseUrl }).send({ content: "for a keyless consumer", contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 1 });

    expect(await callOk(client, "kubbi_inspect", { claim_url: sent.claimUrl })).toMatchObject({ status: "active" });
    expect(await callOk(client, "kubbi_claim", { claim_url: sent.claimUrl })).toMatchObject({ content: "for a keyless consumer", burned: true });

    const error = await callError(client, "kubbi_send", { content: "x" });
    expect(error).toMatchObject({ code: "usage_error", message: expect.stringContaining("KUBBI_API_KEY") });
  });
});

describe("with a revoked or unknown key", () => {
  it("reports unauthorized as a tool error", async () => {
    const { client } = await connect({ KUBBI_API_KEY: `kb_${"x".repeat(43)}`, KUBBI_BASE_URL: baseUrl });
    try {
      expect(await callError(client, "kubbi_list", {})).toMatchObject({ code: "unauthorized", status: 401 });
    } finally {
      await client.close();
    }
  });
});
