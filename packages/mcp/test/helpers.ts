import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { ToolErrorBody } from "../src/index.js";

export const BIN = resolve(import.meta.dirname, "../dist/bin.js");
/** Built entry points, imported by URL so type-checking the tests does not need a build first. */
export const DIST = { http: pathToFileURL(resolve(import.meta.dirname, "../dist/http.js")).href };

/** Calls a tool that must succeed and returns its structured output. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  // The text block carries the same JSON, for hosts that only show text.
  const text = result.content[0];
  expect(text?.type === "text" ? JSON.parse(text.text) : null).toEqual(result.structuredContent);
  return result.structuredContent as T;
}

/** Calls a tool that must fail as a tool error (not a protocol error) and returns the error body. */
export async function callError(client: Client, name: string, args: Record<string, unknown>): Promise<ToolErrorBody["error"]> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError).toBe(true);
  const text = result.content[0];
  if (text?.type !== "text") throw new Error("a tool error carries its body as text");
  return (JSON.parse(text.text) as ToolErrorBody).error;
}

/** A loopback HTTP server that counts the requests it gets and answers each with 404. */
export async function startCountingServer(): Promise<{ origin: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The round trip every transport must carry: send, inspect, claim, then a second claim is gone. */
export async function sendInspectClaimTwice(client: Client, baseUrl: string): Promise<void> {
  const sent = await callOk<{ id: string; claim_url: string; max_retrievals: number | null }>(client, "kubbi_send", {
    content: "db password: hunter2",
    metadata: { purpose: "test" },
  });
  expect(sent.claim_url.startsWith(`${baseUrl}/r/`)).toBe(true);
  // The tool's default: burn after the first claim.
  expect(sent.max_retrievals).toBe(1);

  const info = await callOk(client, "kubbi_inspect", { claim_url: sent.claim_url });
  expect(info).toMatchObject({ kubbi_id: sent.id, status: "active", type: "kubbi", content_type: "text/plain", remaining_reads: 1, retrieval_count: 0, metadata: { purpose: "test" } });

  const claimed = await callOk(client, "kubbi_claim", { claim_url: sent.claim_url });
  expect(claimed).toMatchObject({ type: "kubbi", kubbi_id: sent.id, content: "db password: hunter2", burned: true, remaining_reads: 0, files: null });

  const gone = await callError(client, "kubbi_claim", { claim_url: sent.claim_url });
  expect(gone).toMatchObject({ code: "burned", status: 410, hint: expect.stringContaining("new one") });
  expect(gone.message.length).toBeGreaterThan(0);
}
