import type { inspectView } from "../services/views.js";
import { formatBytes } from "@kubbi.ai/sdk";
import { indefiniteArticle, plural, retrievalsLeft } from "./wording.js";

/**
 * Server-rendered pages for people who open a claim URL (or the server's root) in a browser.
 * Rendering only inspects: the Claim button's POST (static/claim.js) is the one thing that consumes.
 * Everything the producer controls (names, types, metadata) is escaped here and set with textContent
 * in the script.
 */

type Inspected = ReturnType<typeof inspectView>;

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character]!,
  );

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The frame every page shares: our stylesheet and icon only, from our own origin. */
export function layout(title: string, body: string, stylesheets: string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} · kubbi</title>
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/claim.css">${stylesheets.map((href) => `<link rel="stylesheet" href="${href}">`).join("")}
</head>
<body>
<main class="card">
<p class="brand"><img src="/assets/icon.svg" alt="" width="24" height="24">kubbi</p>
${body}
</main>
</body>
</html>
`;
}

const ABOUT =
  '<p class="about">kubbi is a secure handoff service: someone left this here for you. The content is shown once, when you press Claim.</p>';

function manifestTable(
  files: Array<{ name: string; content_type: string; size_bytes: number; role: string | null }>,
): string {
  const rows = files
    .map(
      (file) =>
        `<tr><td class="name">${escapeHtml(file.name)}</td><td class="type">${escapeHtml(file.content_type)}</td><td class="size">${formatBytes(file.size_bytes)}</td><td class="role">${escapeHtml(file.role ?? "")}</td></tr>`,
    )
    .join("");
  return `<table class="manifest"><caption class="visually-hidden">Files in this handoff</caption><thead><tr><th scope="col">File</th><th scope="col">Type</th><th scope="col">Size</th><th scope="col">Role</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** What claiming does, said plainly; the last retrieval burns the handoff for everyone, so that is loudest. */
function claimWarning(remaining: number | null): string {
  if (remaining === 1) {
    return '<p class="warning burn" id="warning"><strong>Claiming burns this handoff for everyone.</strong> After you, nobody can open this link again; save what you need right away.</p>';
  }
  if (remaining === null)
    return '<p class="warning" id="warning">Claiming shows the content here; the link keeps working until it expires.</p>';
  return `<p class="warning" id="warning">Claiming uses one of the ${plural(remaining, "retrieval")} left.</p>`;
}

export function renderClaimPage(inspected: Inspected, claimPath: string): string {
  const heading =
    "files" in inspected && inspected.files
      ? `${plural(inspected.files.length, "file")} waiting for you`
      : "Something is waiting for you";
  const contents =
    "files" in inspected && inspected.files
      ? manifestTable(inspected.files)
      : (() => {
          const contentType = "content_type" in inspected ? String(inspected.content_type) : "";
          return `<p class="summary">${capitalize(indefiniteArticle(contentType))} <code>${escapeHtml(contentType)}</code> payload of ${formatBytes(inspected.total_size_bytes)}.</p>`;
        })();
  const metadata = inspected.metadata
    ? `<details><summary>Metadata</summary><pre>${escapeHtml(JSON.stringify(inspected.metadata, null, 2))}</pre></details>`
    : "";
  const expires = inspected.expires_at.replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return layout(
    heading,
    `<h1 id="heading" tabindex="-1">${heading}</h1>
${ABOUT}
<p class="facts">Expires <time datetime="${inspected.expires_at}">${expires}</time> · <span id="remaining">${retrievalsLeft(inspected.remaining_reads)}</span></p>
${contents}
${metadata}
<div id="kubbi" data-claim-path="${escapeHtml(claimPath)}">
${claimWarning(inspected.remaining_reads)}
<button id="claim" type="button">Claim</button>
<noscript><p>The Claim button needs JavaScript. Without it: <code>curl -X POST</code> this URL followed by <code>/claim</code>.</p></noscript>
<p id="status" role="status"></p>
<section id="result" aria-label="What was waiting for you" hidden></section>
</div>
<script src="/assets/claim.js"></script>`,
  );
}

const GONE_TEXT = {
  burned: [
    "Already claimed",
    "This handoff has been claimed as many times as its producer allowed, and its contents are gone for good.",
  ],
  expired: ["This link has expired", "Its time to live has passed and its contents are gone for good."],
  deleted: [
    "This handoff was cancelled",
    "Its producer deleted it before it was claimed, and its contents are gone for good.",
  ],
} as const;

export function renderGonePage(reason: keyof typeof GONE_TEXT): string {
  const [title, text] = GONE_TEXT[reason];
  return layout(
    title,
    `<h1>${title}</h1><p>${text}</p><p class="hint">If you still need it, ask whoever sent you the link for a new one.</p>`,
  );
}

export function renderNotFoundPage(): string {
  return layout(
    "Nothing here",
    `<h1>Nothing here</h1><p>This link does not point to any handoff. Check that it was copied whole.</p>`,
  );
}

/** GET / in a browser: what this server is and where its reference lives. */
export function renderHomePage(): string {
  return layout(
    "A secure handoff server",
    `<h1>A kubbi server</h1>
<p>kubbi is a secure handoff layer for AI agents: a producer leaves a payload or a few files behind a claim URL, whoever holds the URL claims it, and after the last allowed claim it is gone.</p>
<ul class="links">
<li><a href="/docs">API reference</a>: every route, with examples</li>
<li><a href="/openapi.json">OpenAPI contract</a>: the same, for tools and code generators</li>
<li><a href="/healthz">Health</a>: whether this server is up</li>
</ul>
<p class="hint">Were you sent a link? Open it as it is: claim links look like <code>/r/…</code> on this server.</p>`,
  );
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
