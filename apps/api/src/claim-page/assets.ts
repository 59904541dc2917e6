import { readFileSync } from "node:fs";
import type { NextFunction, Request, Response } from "express";
import { PAGE_HEADERS } from "./render.js";

const STATIC_DIR = new URL("./static/", import.meta.url);
const ASSETS = {
  "claim.js": { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("claim.js", STATIC_DIR)) },
  "claim.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("claim.css", STATIC_DIR)) },
};

/** The claim page's script and stylesheet, served from our own origin so the CSP can stay 'self'. */
export function claimPageAsset(req: Request<{ name: string }>, res: Response, next: NextFunction): void {
  // Own properties only: "constructor" or "__proto__" must not find Object.prototype's members.
  if (!Object.hasOwn(ASSETS, req.params.name)) return next();
  const asset = ASSETS[req.params.name as keyof typeof ASSETS];
  res.set({ ...PAGE_HEADERS, "Content-Type": asset.type, "Cache-Control": "public, max-age=300" });
  res.send(asset.body);
}
