import { randomBytes } from "node:crypto";
import type { Request, Response } from "express";

/**
 * Redoc injects two <style> elements before it can be given a nonce (its bundled perfect-scrollbar
 * stylesheet: first empty, then filled); these are their exact hashes. Everything else it styles
 * carries the per-response nonce. The browser test fails on any CSP violation, so a Redoc upgrade
 * that changes them is caught there.
 */
const REDOC_BOOT_STYLE_HASHES = [
  "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", // the empty element
  "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", // perfect-scrollbar's CSS
];

/** The reference page's policy: only our own scripts, our own styles or nonce'd ones, no other origin. */
export function docsContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}' ${REDOC_BOOT_STYLE_HASHES.join(" ")}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers the reference and its assets share with the claim page, minus its no-store. */
export const DOCS_ASSET_HEADERS = {
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Opener-Policy": "same-origin",
} as const;

/** GET /docs: the API reference, rendered in the browser by Redoc from /openapi.json. */
export function sendReferencePage(_req: Request, res: Response): void {
  const nonce = randomBytes(16).toString("base64");
  res.set({ ...DOCS_ASSET_HEADERS, "Content-Security-Policy": docsContentSecurityPolicy(nonce) }).type("html");
  res.send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubbi API reference</title>
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs/assets/docs.css">
</head>
<body>
<div id="reference"><noscript><p>The reference needs JavaScript. The contract itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript></div>
<script src="/docs/assets/redoc.standalone.js"></script>
<script src="/docs/assets/docs.js" nonce="${nonce}"></script>
</body>
</html>
`);
}
