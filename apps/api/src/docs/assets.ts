import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { NextFunction, Request, Response } from "express";
import { DOCS_ASSET_HEADERS } from "./reference-page.js";

const STATIC_DIR = new URL("./static/", import.meta.url);
/** Redoc's sidebar footer shows a logo from its CDN; an empty data: image fails to load and Redoc drops it. */
const REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";

/** Redoc's standalone bundle, with its one third-party URL taken out (so the page fetches nothing from elsewhere). */
function redocBundle(): Buffer {
  const source = readFileSync(createRequire(import.meta.url).resolve("redoc/bundles/redoc.standalone.js"), "utf8");
  // Fails at start-up, not silently in a browser, if an upgrade moves or adds the URL.
  if (source.split(REDOC_CDN_LOGO).length !== 2)
    throw new Error(`redoc bundle: expected exactly one ${REDOC_CDN_LOGO}`);
  return Buffer.from(source.replace(REDOC_CDN_LOGO, "data:,"));
}

const JS = "text/javascript; charset=utf-8";
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  "redoc.standalone.js": { type: JS, body: redocBundle() },
  "docs.js": { type: JS, body: readFileSync(new URL("docs.js", STATIC_DIR)) },
  "docs.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("docs.css", STATIC_DIR)) },
};

/** The API reference's renderer, script and stylesheet, served from our own origin. */
export function docsAsset(req: Request<{ name: string }>, res: Response, next: NextFunction): void {
  const asset = ASSETS[req.params.name];
  if (!asset) return next();
  res.set({ ...DOCS_ASSET_HEADERS, "Content-Type": asset.type, "Cache-Control": "public, max-age=300" });
  res.send(asset.body);
}
