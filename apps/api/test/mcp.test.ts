import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { STORE_KINDS, useStack } from "./support/stacks.js";

async function connect(baseUrl: string, apiKey: string): Promise<Client> {
  const client = new Client({ name: "kubbi-api-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
  return client;
}

const structured = (result: unknown) => (result as CallToolResult).structuredContent as Record<string, any>;

describe.each(STORE_KINDS)("MCP over Streamable HTTP at /mcp on the %s store", (storeKind) => {
  const stack = useStack(storeKind);

  it("lists the seven tools with their annotations", async () => {
    const client = await connect(stack.api.baseUrl, stack.api.apiKey);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["kubbi_claim", "kubbi_delete", "kubbi_get", "kubbi_inspect", "kubbi_list", "kubbi_send", "kubbi_send_files"]);
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName.kubbi_inspect!.annotations?.readOnlyHint).toBe(true);
    expect(byName.kubbi_get!.annotations?.readOnlyHint).toBe(true);
    expect(byName.kubbi_claim!.annotations?.destructiveHint).toBe(true);
    expect(byName.kubbi_delete!.annotations?.destructiveHint).toBe(true);
    await client.close();
  });

  it("send, inspect, claim, then claim again is a gone tool error", async () => {
    const client = await connect(stack.api.baseUrl, stack.api.apiKey);
    const sent = structured(await client.callTool({ name: "kubbi_send", arguments: { content: "from an agent", max_retrievals: 1 } }));
    expect(sent.claim_url).toMatch(new RegExp(`^${stack.api.baseUrl}/r/`));
    const inspected = structured(await client.callTool({ name: "kubbi_inspect", arguments: { claim_url: sent.claim_url } }));
    expect(inspected).toMatchObject({ status: "active", retrieval_count: 0 });
    const claimed = structured(await client.callTool({ name: "kubbi_claim", arguments: { claim_url: sent.claim_url } }));
    expect(claimed).toMatchObject({ content: "from an agent", burned: true });
    const again = (await client.callTool({ name: "kubbi_claim", arguments: { claim_url: sent.claim_url } })) as CallToolResult;
    expect(again.isError).toBe(true);
    expect(JSON.stringify(again.content)).toContain("burned");
    // The producer sees the retrieval through the REST API too.
    expect((await stack.producer.get(sent.id)).body).toMatchObject({ status: "burned", retrieval_count: 1 });
    await client.close();
  });

  it("refuses a missing or unknown key with 401 and the error envelope", async () => {
    for (const headers of [{}, { authorization: "Bearer kb_" + "x".repeat(43) }] as Array<Record<string, string>>) {
      const response = await fetch(`${stack.api.baseUrl}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
  });
});
