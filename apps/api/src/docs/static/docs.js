// Renders /openapi.json with Redoc. The nonce comes from this script's own tag: Redoc's styled
// components put it on the <style> elements they create, so the CSP needs no 'unsafe-inline'.
"use strict";
Redoc.init(
  "/openapi.json",
  {
    nonce: document.currentScript.nonce,
    // Search runs in a blob: Web Worker; the reference is short enough to do without it and worker-src.
    disableSearch: true,
    expandResponses: "200,201",
    theme: {
      colors: { primary: { main: "#1f6f5c" } },
      // System fonts only: nothing is fetched from a font host.
      typography: {
        fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif",
        headings: { fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif" },
        code: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" },
      },
    },
  },
  document.getElementById("reference"),
);
