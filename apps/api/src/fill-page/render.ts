import { escapeHtml, layout } from "../claim-page/render.js";
import { formatBytes } from "@kubbi.ai/sdk";
import type { fillInfo } from "../services/requests.js";

/**
 * The fill page: who is asking, what for, the limits, and a form. Everything the requester wrote is
 * escaped here; static/fill.js checks the public key against the link's #k= fingerprint, seals in the
 * browser and posts only the envelope.
 */

type FillInfo = Awaited<ReturnType<typeof fillInfo>>;

export function renderFillPage(info: FillInfo): string {
  const files = info.wanted.kind === "files";
  const picker = files
    ? `<label for="files">Files (up to ${info.wanted.max_files})</label>
<input id="files" name="files" type="file" multiple>`
    : "";
  return layout(
    "Someone is asking you for something",
    `<h1>${escapeHtml(info.requester)} is asking you for ${files ? "files" : "a secret"}</h1>
<p class="request-description" id="description">${escapeHtml(info.description)}</p>
<p class="facts">Up to <span id="limit">${formatBytes(info.wanted.max_bytes)}</span> in total · this link works once · it expires <time datetime="${info.expires_at}">${info.expires_at.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time></p>
<form id="fill" data-kind="${info.wanted.kind}" data-max-files="${info.wanted.max_files}" data-max-bytes="${info.wanted.max_bytes}">
<label for="text">${files ? "Text (optional, sent as message.txt)" : "Your answer"}</label>
<textarea id="text" name="text" rows="5" autocomplete="off" spellcheck="false"></textarea>
${picker}
<p class="hint">It is encrypted in this browser for ${escapeHtml(info.requester)} alone before it is sent: the kubbi server cannot read it.</p>
<button id="send" type="submit" disabled>Encrypt and send</button>
</form>
<noscript><p>Encrypting needs JavaScript. Without it, use <code>kubbi fulfil</code> with this link.</p></noscript>
<p id="status" role="status"></p>
<script type="module" src="/assets/fill/fill.js"></script>`,
    ["/assets/fill/fill.css"],
  );
}

const REFUSED_TEXT = {
  expired: ["This request has expired", "Nothing can be delivered to it any more."],
  cancelled: ["This request was cancelled", "Whoever asked does not need it any more."],
  already_fulfilled: ["Already delivered", "Something was already sent through this link; it works once."],
  not_found: ["Nothing here", "This link does not point to any request. Check that it was copied whole."],
} as const;

type RefusedReason = keyof typeof REFUSED_TEXT;
export const isRefusedReason = (code: string): code is RefusedReason => code in REFUSED_TEXT;

export function renderRefusedPage(reason: RefusedReason): string {
  const [title, text] = REFUSED_TEXT[reason];
  return layout(
    title,
    `<h1>${title}</h1><p>${text}</p><p class="hint">If it is still needed, ask whoever sent you the link for a new one.</p>`,
  );
}
