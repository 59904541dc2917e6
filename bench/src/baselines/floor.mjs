// @ts-check
/** The framework floor: Express 5 with express.json(), the same EVALSHA and answer as the limit. */
import express from "express";
import { createServer } from "node:http";
import { announce, claimSeeded, connectRedis } from "./claim-script.mjs";

const redis = connectRedis();
const app = express();
app.use(express.json());
app.post("/claim", async (_req, res) => {
  const answer = await claimSeeded(redis);
  res.status(answer ? 200 : 410).json(answer);
});
announce(createServer(app));
