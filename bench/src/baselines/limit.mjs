// @ts-check
/** The limit: bare node:http, one EVALSHA of the claim script, a 1 KB JSON answer. Nothing else. */
import { createServer } from "node:http";
import { announce, claimSeeded, connectRedis } from "./claim-script.mjs";

const redis = connectRedis();

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/claim") {
    res.writeHead(404).end();
    return;
  }
  req.resume();
  claimSeeded(redis).then(
    (answer) => {
      const body = JSON.stringify(answer);
      res.writeHead(answer ? 200 : 410, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    },
    () => res.writeHead(500).end(),
  );
});
announce(server);
