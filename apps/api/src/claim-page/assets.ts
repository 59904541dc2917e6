import { readFileSync } from "node:fs";
import type { NextFunction, Request, Response } from "express";
import { PAGE_HEADERS } from "./render.js";

const STATIC_DIR = new URL("./static/", import.meta.url);
const asset = (file: string, type: string) => ({ type, body: readFileSync(new URL(file, STATIC_DIR)) });
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  "claim.js": asset("claim.js", "text/javascript; charset=utf-8"),
  "claim.css": asset("claim.css", "text/css; charset=utf-8"),
  "icon.svg": asset("icon.svg", "image/svg+xml"),
  "favicon.ico": asset("favicon.ico", "image/x-icon"),
};

function send(res: Response, name: string): void {
  const { type, body } = ASSETS[name]!;
  res.set({ ...PAGE_HEADERS, "Content-Type": type, "Cache-Control": "public, max-age=300" });
  res.send(body);
}

/** The pages' script, stylesheet and icon, served from our own origin so the CSP can stay 'self'. */
export function pageAsset(req: Request<{ name: string }>, res: Response, next: NextFunction): void {
  if (!Object.hasOwn(ASSETS, req.params.name)) return next();
  send(res, req.params.name);
}

/** Browsers ask for /favicon.ico on every page, whatever the page links. */
export function favicon(_req: Request, res: Response): void {
  send(res, "favicon.ico");
}
