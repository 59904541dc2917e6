/**
 * kubbi_claim's saveTo where a claim could burn a kubbi whose content then lands nowhere: the server
 * (built dist) over an in-memory transport, with a scripted KubbiAccess standing in for the API.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClaimedPackage, InspectResult } from "@kubbi.ai/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Entry from "../src/index.js";
import { callError } from "./helpers.js";

const { createKubbiMcpServer } = (await import(
  pathToFileURL(resolve(import.meta.dirname, "../dist/index.js")).href
)) as typeof Entry;

const SECRET = "CANARY-never-in-a-result";
const bytes = new TextEncoder().encode(SECRET);
const stamp = "2026-01-01T00:00:00.000Z";
const common = { kubbiId: "k1", metadata: null, createdAt: stamp, expiresAt: stamp };

/** A kubbi whose inspect shows `inspectedNames` and whose claim (counted) delivers files named `claimedNames`. */
function scriptedAccess(inspectedNames: string[], claimedNames: string[]) {
  const claims: string[] = [];
  const refuse = () => Promise.reject(new Error("not used"));
  const manifest = (name: string) => ({ name, contentType: "text/plain", sizeBytes: bytes.length, role: null });
  const inspected: InspectResult = {
    ...common,
    type: "kubbi_package",
    status: "active",
    contentType: null,
    fileCount: inspectedNames.length,
    totalSizeBytes: bytes.length * inspectedNames.length,
    maxRetrievals: 1,
    retrievalCount: 0,
    remainingReads: 1,
    files: inspectedNames.map((name) => ({ ...manifest(name), sha256: "" })),
    claim: { url: "", method: "POST", description: "" },
  };
  const claimed: ClaimedPackage = {
    ...common,
    type: "kubbi_package",
    retrievalCount: 1,
    remainingReads: 0,
    burned: true,
    fileCount: claimedNames.length,
    totalSizeBytes: bytes.length * claimedNames.length,
    files: claimedNames.map((name) => ({
      ...manifest(name),
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes,
      text: SECRET,
    })),
  };
  return {
    claims,
    access: {
      send: refuse,
      sendFiles: refuse,
      get: refuse,
      list: refuse,
      delete: refuse,
      inspect: async () => inspected,
      claim: async (claimUrl: string) => {
        claims.push(claimUrl);
        return claimed;
      },
    },
  };
}

async function connect(access: Entry.KubbiAccess, root: string): Promise<Client> {
  const server = createKubbiMcpServer({ access, localFiles: { roots: [root] } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "save-to-test", version: "0" });
  await client.connect(clientSide);
  return client;
}

describe("kubbi_claim with saveTo", () => {
  let root: string;
  beforeAll(async () => (root = await realpath(await mkdtemp(join(tmpdir(), "kubbi-mcp-save-")))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("refuses, before claiming, a file name the safe writer would refuse and a saveTo that already exists", async () => {
    const { access, claims } = scriptedAccess(["report.txt", ".npmrc"], ["report.txt", ".npmrc"]);
    const client = await connect(access, root);
    try {
      const badName = await callError(client, "kubbi_claim", {
        claimUrl: "https://api.kubbi.ai/r/x",
        saveTo: "bad-name",
      });
      expect(badName).toMatchObject({ code: "usage_error", message: expect.stringContaining(".npmrc") });
      expect(claims).toEqual([]);
    } finally {
      await client.close();
    }
    const safe = scriptedAccess(["report.txt"], ["report.txt"]);
    const safeClient = await connect(safe.access, root);
    try {
      await mkdir(join(root, "taken"));
      const taken = await callError(safeClient, "kubbi_claim", {
        claimUrl: "https://api.kubbi.ai/r/x",
        saveTo: "taken",
      });
      expect(taken).toMatchObject({ code: "usage_error", message: expect.stringContaining("already exists") });
      expect(safe.claims).toEqual([]);
    } finally {
      await safeClient.close();
    }
  });

  it("a write that fails after the claim is save_failed: it says the kubbi burned and never shows the content", async () => {
    // The manifest looked fine; what the claim delivered is not (a name the writer refuses).
    const { access, claims } = scriptedAccess(["report.txt"], ["con"]);
    const client = await connect(access, root);
    try {
      const failed = await callError(client, "kubbi_claim", { claimUrl: "https://api.kubbi.ai/r/x", saveTo: "late" });
      expect(claims).toHaveLength(1);
      expect(failed).toMatchObject({
        code: "save_failed",
        message: expect.stringContaining("burned: true"),
        hint: expect.stringContaining("send it again"),
      });
      expect(JSON.stringify(failed)).not.toContain(SECRET);
      expect(await readdir(root)).not.toContain("late");
    } finally {
      await client.close();
    }
  });
});
