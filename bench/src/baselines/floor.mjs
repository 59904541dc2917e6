// @ts-check
/**
 * The framework floor: Express 5 with express.json(), the same EVALSHA and answer as the limit; and
 * for creates, the same 1 KB body parsed by express.json() and stored by the API's own create script.
 */
import express from "express";
import { createServer } from "node:http";
import { announce, claimSeeded, connectRedis } from "./claim-script.mjs";
import { createFromBody, defineCreate } from "./create-script.mjs";

const redis = connectRedis();
defineCreate(redis);
const app = express();
app.use(express.json());
app.post("/claim", async (_req, res) => {
  const answer = await claimSeeded(redis);
  res.status(answer ? 200 : 410).json(answer);
});
app.post("/create", async (req, res) => {
  res.status(201).json(await createFromBody(redis, req.body));
});
announce(createServer(app));
