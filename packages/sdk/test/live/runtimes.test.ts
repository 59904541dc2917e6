/**
 * The built package (dist/, not src/) does one send → inspect → claim → second claim round trip against
 * the live API in every runtime it promises: Node ESM and CJS, Deno, Bun and workerd (through miniflare).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { PACKAGE_DIR, requireBuild } from "../package/dist.js";

const run = promisify(execFile);
const { baseUrl, apiKey } = inject("kubbi");
const bin = (name: string) => resolve(PACKAGE_DIR, "node_modules/.bin", name);
const script = (name: string) => `test/runtimes/${name}`;

const runtimes: Array<[string, string, string[]]> = [
  ["node-esm", process.execPath, [script("node.mjs")]],
  ["node-cjs", process.execPath, [script("node.cjs")]],
  // Network access to the loopback API only, nothing else.
  ["deno", bin("deno"), ["run", "--no-prompt", `--allow-net=${new URL(baseUrl).host}`, script("deno.mjs")]],
  ["bun", bin("bun"), [script("bun.mjs")]],
  ["workerd", process.execPath, [script("miniflare.mjs")]],
];

beforeAll(requireBuild);

describe.concurrent("runtimes", () => {
  it.each(runtimes)(
    "%s: send, inspect, claim, second claim is KubbiGoneError, events; request, fulfil, resume, claim decrypts; verifyWebhook",
    async (name, command, args) => {
      const { stdout } = await run(command, [...args, baseUrl, apiKey], {
        cwd: PACKAGE_DIR,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
        timeout: 60_000,
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`${name} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
      });
      const summary = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        runtime: string;
        content: string;
        secondClaim: string;
        events: string;
        request: string;
        webhook: string;
      };
      expect(summary.runtime).toContain(
        name.startsWith("node") ? name : name === "workerd" ? "Cloudflare-Workers" : name,
      );
      expect(summary.content).toBe(`hello from ${summary.runtime}`);
      expect(summary.secondClaim).toBe("KubbiGoneError:burned");
      expect(summary.events).toBe("kubbi.created,kubbi.claimed,kubbi.burned");
      expect(summary.request).toBe("note.txt,blob.bin");
      expect(summary.webhook).toBe("verified,tampered-refused,wrong-secret-refused,stale-refused");
    },
  );
});
