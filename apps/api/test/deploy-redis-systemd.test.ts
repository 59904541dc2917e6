import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, startApi, stopChild, waitForOutput, type ApiProcess } from "@kubbi/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumer, producer } from "./support/http.js";
import { documentedBlock, localize } from "./support/deploy-doc.js";

/** KEY=value lines of a documented environment file, comments and blank lines skipped. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

describe("docs/deploy.md: the systemd unit", () => {
  it("passes systemd-analyze verify (with this machine's node as ExecStart)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubbi-unit-"));
    try {
      const unit = localize(await documentedBlock("ini title=/etc/systemd/system/kubbi.service"), [
        ["ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `],
      ]);
      await writeFile(join(dir, "kubbi.service"), unit);
      // Non-zero on a bad unit; warnings (an unknown key, a bad value) go to stderr, so that must be empty too.
      const { stderr } = await promisify(execFile)("systemd-analyze", ["verify", join(dir, "kubbi.service")]);
      expect(stderr).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/deploy.md: Redis with the documented persistence, under the documented API environment", () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess;
  let api: ApiProcess;
  const password = randomBytes(24).toString("hex");

  async function startDocumentedRedis(): Promise<ChildProcess> {
    const child = spawn("redis-server", [join(dir, "redis.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    await waitForOutput(child, /Ready to accept connections/, "redis-server with the documented config");
    return child;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubbi-redis-"));
    port = await freePort();
    const documented = localize(await documentedBlock("conf title=/etc/redis/redis.conf"), [
      ["<a long random password>", password],
    ]);
    await writeFile(join(dir, "redis.conf"), `${documented}\nport ${port}\ndir ${dir}\n`);
    redis = await startDocumentedRedis();

    const apiPort = await freePort();
    const metricsPort = await freePort();
    const env = parseEnvFile(
      localize(await documentedBlock("bash title=/etc/kubbi/kubbi.env"), [
        ["PORT=3000", `PORT=${apiPort}`],
        ["REDIS_URL=redis://127.0.0.1:6379", `REDIS_URL=redis://:${password}@127.0.0.1:${port}`],
        ["KUBBI_PUBLIC_URL=https://handoff.example.com", `KUBBI_PUBLIC_URL=http://127.0.0.1:${apiPort}`],
        ["KUBBI_KEYS=k1:<openssl rand -base64 32>", `KUBBI_KEYS=k1:${randomBytes(32).toString("base64")}`],
        ["KUBBI_METRICS_PORT=9464", `KUBBI_METRICS_PORT=${metricsPort}`],
        ["KUBBI_METRICS_TOKEN=<openssl rand -hex 24>", `KUBBI_METRICS_TOKEN=${randomBytes(24).toString("hex")}`],
      ]),
    );
    expect(env).toMatchObject({ KUBBI_MODE: "production", KUBBI_TRUST_PROXY: "1", HOST: "127.0.0.1" });
    api = await startApi({ env });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    if (redis) await stopChild(redis);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("Redis runs with AOF every second and no eviction, and asks for its password", async () => {
    const db = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true });
    try {
      await db.connect();
      expect(await db.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await db.config("GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
      expect(await db.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await db.config("GET", "save")).toEqual(["save", ""]);
    } finally {
      db.disconnect();
    }
    // Without the password, Redis refuses (raw RESP over a socket: what any client would see).
    const reply = await new Promise<string>((resolvePromise, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("GET anything\r\n"));
      socket.once("data", (chunk: Buffer) => {
        socket.destroy();
        resolvePromise(chunk.toString("utf8"));
      });
      socket.once("error", reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it("a killed Redis comes back with every kubbi as it was: the active one still there, the burned one still burned", async () => {
    const producerApi = producer(api.baseUrl, api.apiKey);
    const kept = await producerApi.create({
      content: "still here after the crash",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    const burned = await producerApi.create({
      content: "claimed before the crash",
      content_type: "text/plain",
      ttl_seconds: 600,
      max_retrievals: 1,
    });
    expect([kept.status, burned.status]).toEqual([201, 201]);
    expect((await consumer.claim(burned.body.claim_url)).status).toBe(200);

    // SIGKILL: no shutdown save. What survives is what the AOF already had.
    await stopChild(redis, "SIGKILL");
    redis = await startDocumentedRedis();

    // The API reconnects by itself; wait until it reads again (bounded).
    let ready = 0;
    for (let attempt = 0; attempt < 100 && ready !== 200; attempt++) {
      ready = (await fetch(`${api.baseUrl}/readyz`)).status;
      if (ready !== 200) await new Promise((done) => setTimeout(done, 100));
    }
    expect(ready).toBe(200);
    expect((await consumer.claim(burned.body.claim_url)).body.error).toBe("burned");
    const claimed = await consumer.claim(kept.body.claim_url);
    expect(claimed.status).toBe(200);
    expect(claimed.body.content).toBe("still here after the crash");
  });
});
