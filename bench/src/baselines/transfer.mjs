// @ts-check
/**
 * The transfer baseline: bare node:http that parses a package body, decodes its files, stores the
 * bytes in Redis and reads them back (what a create plus its claim must do at the least), and
 * answers them as the claim does: text files as text, binary ones as base64. No crypto, no checks.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { announce } from "./claim-script.mjs";

const redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: 2 });

async function transfer(rawBody) {
  const { files } = JSON.parse(rawBody.toString("utf8"));
  const parts = files.map((file) => Buffer.from(file.content, file.encoding === "base64" ? "base64" : "utf8"));
  const key = `bench:transfer:${randomUUID()}`;
  await redis.set(key, Buffer.concat(parts), "PX", 60_000);
  const stored = await redis.getdelBuffer(key);
  let offset = 0;
  return {
    files: files.map((file, index) => {
      const bytes = stored.subarray(offset, (offset += parts[index].length));
      const binary = file.encoding === "base64";
      return {
        name: file.name,
        content: bytes.toString(binary ? "base64" : "utf8"),
        encoding: binary ? "base64" : null,
      };
    }),
  };
}

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/transfer") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    transfer(Buffer.concat(chunks)).then(
      (answer) => {
        const body = JSON.stringify(answer);
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
});
announce(server);
