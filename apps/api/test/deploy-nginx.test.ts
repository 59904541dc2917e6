import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, startApi, startRedis, stopChild, type ApiProcess, type RedisServer } from "@kubbi/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonBodyLimit } from "../src/http/json-body.js";
import { documentedBlock, localize } from "./support/deploy-doc.js";
import { newRequestBody } from "./support/request-body.js";

/**
 * docs/deploy.md's nginx configuration, run as written in front of a real API (KUBBI_TRUST_PROXY=1)
 * on loopback: only ports, certificate paths and the log directory are swapped for this test's.
 */
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path)) ?? "nginx";
const DEFAULT_PLAN_MAX_KUBBI_BYTES = 10 * 1024 * 1024;
/** Consumer requests per address per minute: the walk-through below makes exactly this many per address. */
const CONSUMER_LIMIT = 6;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** HTTPS to nginx from a chosen loopback source address (127.0.0.2, 127.0.0.3: two different clients). */
function viaNginx(
  port: number,
  ca: string,
  from: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; slowReader?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, ca, localAddress: from, headers: options.headers, agent: false },
      (res) => {
        // A reader that falls behind: nginx must then hold the rest of the response somewhere.
        if (options.slowReader) {
          res.pause();
          setTimeout(() => res.resume(), 500);
        }
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolvePromise({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

async function waitForPort(port: number, nginx: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited with ${nginx.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        done(true);
      });
      socket.on("error", () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`nginx did not listen on ${port}:\n${output()}`);
}

/**
 * Every file created in the directories while watched (inotify reports even those deleted at once).
 * stop() writes a marker into each and waits for its event: events arrive in order, so all earlier ones are in.
 */
function watchForFiles(dirs: string[]) {
  const seen: string[] = [];
  const markers = new Map<string, () => void>();
  const watchers = dirs.map((watched) =>
    watch(watched, (_event, name) => {
      const path = join(watched, String(name));
      if (markers.has(path)) markers.get(path)!();
      else seen.push(path);
    }),
  );
  return {
    async stop(): Promise<string[]> {
      await Promise.all(
        dirs.map(async (watched) => {
          const marker = join(watched, "marker");
          const arrived = new Promise<void>((done) => markers.set(marker, done));
          await writeFile(marker, "");
          await arrived;
          await rm(marker);
        }),
      );
      watchers.forEach((watcher) => watcher.close());
      return [...new Set(seen)];
    },
  };
}

describe("docs/deploy.md: the documented nginx config in front of the API", () => {
  let dir: string;
  let redis: RedisServer;
  let api: ApiProcess;
  let nginx: ChildProcess;
  let nginxOutput = "";
  let httpsPort: number;
  let ca: string;
  let config: string;
  const logs = () => join(dir, "logs");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubbi-nginx-"));
    await mkdir(logs());
    for (const temp of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) await mkdir(join(dir, temp));
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    ca = await readFile(join(dir, "cert.pem"), "utf8");

    const [apiPort, httpPort] = [await freePort(), await freePort()];
    httpsPort = await freePort();
    redis = await startRedis();
    api = await startApi({
      redisUrl: redis.url,
      env: {
        PORT: String(apiPort),
        KUBBI_PUBLIC_URL: `https://127.0.0.1:${httpsPort}`,
        KUBBI_TRUST_PROXY: "1",
        KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE: String(CONSUMER_LIMIT),
      },
    });
    config = await documentedBlock("nginx title=/etc/nginx/conf.d/kubbi.conf");
    const local = localize(config, [
      ["listen 80;", `listen 127.0.0.1:${httpPort};`],
      ["listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`],
      ["server 127.0.0.1:3000;", `server 127.0.0.1:${apiPort};`],
      ["/etc/letsencrypt/live/handoff.example.com/fullchain.pem", join(dir, "cert.pem")],
      ["/etc/letsencrypt/live/handoff.example.com/privkey.pem", join(dir, "key.pem")],
      ["/var/log/nginx/", `${logs()}/`],
    ]);
    await writeFile(join(dir, "kubbi.conf"), local);
    // The main context a distribution's nginx.conf provides, pointed at this directory; one process
    // (master_process off) so stopping it by its PID stops everything.
    await writeFile(
      join(dir, "nginx.conf"),
      `daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(logs(), "main.error.log")} info;
events { worker_connections 64; }
http {
  client_body_temp_path ${join(dir, "client_body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  access_log ${join(logs(), "main.access.log")};
  include ${join(dir, "kubbi.conf")};
}
`,
    );
    nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(logs(), "startup.error.log")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    nginx.stdout!.on("data", (chunk: Buffer) => (nginxOutput += chunk.toString()));
    nginx.stderr!.on("data", (chunk: Buffer) => (nginxOutput += chunk.toString()));
    await waitForPort(httpsPort, nginx, () => nginxOutput);
  }, 60_000);

  afterAll(async () => {
    if (nginx) await stopChild(nginx, "SIGQUIT");
    await api?.stop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("sizes client_max_body_size for the default plan's largest create", () => {
    const documented = /client_max_body_size (\d+)m;/.exec(config)!;
    expect(Number(documented[1]) * 1024 * 1024).toBeGreaterThanOrEqual(jsonBodyLimit(DEFAULT_PLAN_MAX_KUBBI_BYTES));
  });

  it("the rate limiter sees each client's address; a client's own X-Forwarded-For picks no bucket", async () => {
    const inspect = (from: string, headers: Record<string, string> = {}) =>
      viaNginx(httpsPort, ca, from, "GET", `/r/${"Q".repeat(43)}`, {
        headers: { accept: "application/json", ...headers },
      });
    // The limit counts per fixed minute: start with enough of this minute left for the few requests below.
    const msLeftInWindow = () => 60_000 - (Date.now() % 60_000);
    if (msLeftInWindow() < 20_000) await new Promise((done) => setTimeout(done, msLeftInWindow() + 100));

    const first = [];
    for (let hit = 0; hit < CONSUMER_LIMIT; hit++) first.push((await inspect("127.0.0.2")).status);
    expect(first).toEqual(Array(CONSUMER_LIMIT).fill(404));
    expect((await inspect("127.0.0.2")).status).toBe(429);
    // Another address: its own bucket, untouched.
    expect((await inspect("127.0.0.3")).status).toBe(404);
    // The limited client cannot pick another bucket by sending X-Forwarded-For: nginx replaces it.
    expect((await inspect("127.0.0.2", { "x-forwarded-for": "203.0.113.9" })).status).toBe(429);
    expect((await inspect("127.0.0.2", { "x-forwarded-for": "127.0.0.3" })).status).toBe(429);
  }, 60_000);

  it("sends HSTS; after creates, inspects, the claim page, claims and a fill link through it, no log holds a token or key, and no payload touched disk", async () => {
    const auth = { authorization: `Bearer ${api.apiKey}`, "content-type": "application/json" };
    const tokens: string[] = [];
    const tempFiles = watchForFiles([join(dir, "client_body"), join(dir, "proxy")]);
    const bigFile = "x".repeat(8 * 1024 * 1024);
    // One client address per kubbi: six requests under /r/ each, within the consumer limit.
    for (const [from, body] of [
      ["127.0.0.4", { content: "through nginx", content_type: "text/plain", ttl_seconds: 600, max_retrievals: 1 }],
      [
        "127.0.0.5",
        {
          files: [{ name: "big.txt", content: bigFile, content_type: "text/plain" }],
          ttl_seconds: 600,
          max_retrievals: 1,
        },
      ],
    ] as const) {
      const created = await viaNginx(httpsPort, ca, from, "POST", "/api/v1/kubbis", {
        headers: auth,
        body: JSON.stringify(body),
      });
      expect(created.status).toBe(201);
      expect(created.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
      const { claim_url: claimUrl, claim_token: token } = JSON.parse(created.body) as {
        claim_url: string;
        claim_token: string;
      };
      expect(claimUrl).toBe(`https://127.0.0.1:${httpsPort}/r/${token}`);
      tokens.push(token);
      const path = `/r/${token}`;
      expect(
        (await viaNginx(httpsPort, ca, from, "GET", path, { headers: { accept: "application/json" } })).status,
      ).toBe(200);
      expect((await viaNginx(httpsPort, ca, from, "GET", `${path}/inspect?via=test`)).status).toBe(200);
      expect((await viaNginx(httpsPort, ca, from, "GET", path, { headers: { accept: "text/html" } })).body).toContain(
        "waiting for you",
      );
      expect((await viaNginx(httpsPort, ca, from, "GET", `${path}/claim`)).status).toBe(405);
      const claimed = await viaNginx(httpsPort, ca, from, "POST", `${path}/claim`, { slowReader: true });
      expect(claimed.status).toBe(200);
      expect(claimed.body.length).toBeGreaterThan(JSON.stringify(body).length / 2);
      expect((await viaNginx(httpsPort, ca, from, "POST", `${path}/claim`)).status).toBe(410);
    }

    // A request link's fill URL holds a token in its path too.
    const requestLink = await viaNginx(httpsPort, ca, "127.0.0.6", "POST", "/api/v1/requests", {
      headers: auth,
      body: JSON.stringify(newRequestBody()),
    });
    expect(requestLink.status).toBe(201);
    const fillPath = new URL((JSON.parse(requestLink.body) as { fill_url: string }).fill_url).pathname;
    tokens.push(fillPath.slice("/f/".length));
    expect((await viaNginx(httpsPort, ca, "127.0.0.6", "GET", `${fillPath}/info`)).status).toBe(200);
    expect(
      (await viaNginx(httpsPort, ca, "127.0.0.6", "GET", fillPath, { headers: { accept: "text/html" } })).status,
    ).toBe(200);

    const logFiles = await readdir(logs());
    const access = await readFile(join(logs(), "kubbi.access.log"), "utf8");
    expect(access).toContain('"POST /api/v1/kubbis HTTP/');
    expect(access).toContain('"POST /r/[redacted] HTTP/');
    expect(access).toContain('"GET /f/[redacted] HTTP/');
    expect(access).toMatch(/^127\.0\.0\.4 /m); // the client's address, as nginx saw it
    for (const file of logFiles) {
      const text = await readFile(join(logs(), file), "utf8");
      for (const secret of [...tokens, api.apiKey]) expect(text, `${file} holds a secret`).not.toContain(secret);
    }
    // Bodies were streamed both ways: nginx created no temporary file (it would hold a payload in
    // plaintext, and nginx unlinks them at once, so the directories are watched, not listed).
    expect(await tempFiles.stop()).toEqual([]);
    expect(nginxOutput).not.toMatch(/\[(emerg|alert|crit)\]/);
  });
});
