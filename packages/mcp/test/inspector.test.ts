/** The MCP Inspector's CLI mode (pinned to a version that runs on Node 20) against the built bin. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { MCP_STDIO_TOOL_NAMES } from "@kubbi/test-utils";
import { KubbiClient } from "@kubbi.ai/sdk";
import { describe, expect, inject, it } from "vitest";
import { BIN } from "./helpers.js";

const { baseUrl, apiKey } = inject("kubbi");
const INSPECTOR = resolve(import.meta.dirname, "../node_modules/.bin/mcp-inspector");

async function inspector(...args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    INSPECTOR,
    ["--cli", "-e", `KUBBI_API_KEY=${apiKey}`, "-e", `KUBBI_BASE_URL=${baseUrl}`, process.execPath, BIN, ...args],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

describe("MCP Inspector --cli", () => {
  it("tools/list shows every kubbi tool", async () => {
    const listed = (await inspector("--method", "tools/list")) as { tools: { name: string }[] };
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(MCP_STDIO_TOOL_NAMES);
  });

  it("tools/call kubbi_inspect reads a live kubbi without claiming it", async () => {
    const client = new KubbiClient({ apiKey, baseUrl });
    const sent = await client.send({
      content: "inspected, not claimed",
      contentType: "text/plain",
      ttlSeconds: 600,
      maxRetrievals: 1,
      metadata: { via: "inspector" },
    });
    const result = (await inspector(
      "--method",
      "tools/call",
      "--tool-name",
      "kubbi_inspect",
      "--tool-arg",
      `claimUrl=${sent.claimUrl}`,
    )) as {
      isError?: boolean;
      structuredContent: unknown;
    };
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toMatchObject({
      kubbiId: sent.id,
      status: "active",
      retrievalCount: 0,
      metadata: { via: "inspector" },
    });
    expect(await client.get(sent.id)).toMatchObject({ retrievalCount: 0, status: "active" });
  });
});
