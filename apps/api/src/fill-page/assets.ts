import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { NextFunction, Request, Response } from "express";
import { PAGE_HEADERS } from "../claim-page/render.js";

const STATIC_DIR = new URL("./static/", import.meta.url);
const JAVASCRIPT = "text/javascript; charset=utf-8";
/**
 * The fill page's script, stylesheet, and the SDK's own envelope module (the very code `fulfil` runs,
 * zero dependencies), all from our origin so the CSP stays 'self'.
 */
const ASSETS = {
  "fill.js": { type: JAVASCRIPT, body: readFileSync(new URL("fill.js", STATIC_DIR)) },
  "fill.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("fill.css", STATIC_DIR)) },
  "envelope.js": { type: JAVASCRIPT, body: readFileSync(fileURLToPath(import.meta.resolve("@kubbi.ai/sdk/envelope"))) },
};

export function fillPageAsset(req: Request<{ name: string }>, res: Response, next: NextFunction): void {
  const asset = ASSETS[req.params.name as keyof typeof ASSETS];
  if (!asset) return next();
  res.set({ ...PAGE_HEADERS, "Content-Type": asset.type, "Cache-Control": "public, max-age=300" });
  res.send(asset.body);
}
