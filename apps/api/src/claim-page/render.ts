import type { inspectView } from "../services/views.js";

/**
 * Server-rendered pages for people who open a claim URL in a browser. Rendering only inspects:
 * the Claim button's POST (static/claim.js) is the one thing that consumes. Everything the producer
 * controls (names, types, metadata) is escaped here and set with textContent in the script.
 */

type Inspected = ReturnType<typeof inspectView>;

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character]!);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function layout(title: string, body: string, stylesheets: string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} · kubbi</title>
<link rel="stylesheet" href="/assets/claim.css">${stylesheets.map((href) => `<link rel="stylesheet" href="${href}">`).join("")}
</head>
<body>
<main class="card">
<p class="brand">kubbi</p>
${body}
</main>
</body>
</html>
`;
}

export function renderClaimPage(inspected: Inspected, claimPath: string): string {
  const isPackage = inspected.type === "kubbi_package";
  const left = inspected.remaining_reads === null ? "unlimited retrievals until it expires" : `${inspected.remaining_reads} of ${inspected.max_retrievals} retrieval${inspected.max_retrievals === 1 ? "" : "s"} left`;
  const files = "files" in inspected && inspected.files
    ? `<table class="manifest"><thead><tr><th>File</th><th>Type</th><th>Size</th><th>Role</th></tr></thead><tbody>${inspected.files
        .map((file) => `<tr><td>${escapeHtml(file.name)}</td><td>${escapeHtml(file.content_type)}</td><td>${formatBytes(file.size_bytes)}</td><td>${escapeHtml(file.role ?? "")}</td></tr>`)
        .join("")}</tbody></table>`
    : `<p>A ${escapeHtml(String("content_type" in inspected ? inspected.content_type : ""))} payload of ${formatBytes(inspected.total_size_bytes)}.</p>`;
  const metadata = inspected.metadata ? `<details><summary>Metadata</summary><pre>${escapeHtml(JSON.stringify(inspected.metadata, null, 2))}</pre></details>` : "";
  const warning = inspected.remaining_reads === 1 ? "This is the last allowed retrieval: claiming it burns the handoff for everyone." : "Claiming counts as a retrieval.";
  return layout(
    "Something is waiting for you",
    `<h1>${isPackage ? `${inspected.file_count} file${inspected.file_count === 1 ? "" : "s"} waiting for you` : "A handoff is waiting for you"}</h1>
<p class="facts"><span>Expires <time datetime="${inspected.expires_at}">${inspected.expires_at.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time></span> · <span id="remaining">${left}</span></p>
${files}
${metadata}
<div id="kubbi" data-claim-path="${escapeHtml(claimPath)}">
<p class="warning">${warning}</p>
<button id="claim" type="button">Claim</button>
<noscript><p>The Claim button needs JavaScript. Without it: <code>curl -X POST</code> this URL followed by <code>/claim</code>.</p></noscript>
<p id="status" role="status"></p>
<section id="result" hidden></section>
</div>
<script src="/assets/claim.js"></script>`,
  );
}

const GONE_TEXT = {
  burned: ["Already claimed", "This handoff has been claimed as many times as its producer allowed, and its contents are gone for good."],
  expired: ["This link has expired", "Its time to live has passed and its contents are gone for good."],
  deleted: ["This handoff was cancelled", "Its producer deleted it before it was claimed, and its contents are gone for good."],
} as const;

export function renderGonePage(reason: keyof typeof GONE_TEXT): string {
  const [title, text] = GONE_TEXT[reason];
  return layout(title, `<h1>${title}</h1><p>${text}</p><p class="hint">If you still need it, ask whoever sent you the link for a new one.</p>`);
}

export function renderNotFoundPage(): string {
  return layout("Nothing here", `<h1>Nothing here</h1><p>This link does not point to any handoff. Check that it was copied whole.</p>`);
}

/** No third-party origins, no inline code, no framing, nothing cached, no referrer. */
export const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Opener-Policy": "same-origin",
} as const;
