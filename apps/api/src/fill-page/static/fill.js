// The fill page's script. It trusts the server for nothing it can check: the requester's public key from
// /f/:token/info must match the fingerprint in this link's #k= fragment (which never reaches the server),
// or nothing is sent. The content is sealed here, with the SDK's envelope module; only the envelope leaves.
import { deliveryContext, encodeDelivery, fromBase64Url, publicKeyFingerprint, sealEnvelope } from "/assets/fill/envelope.js";

const form = document.getElementById("fill");
const button = document.getElementById("send");
const text = document.getElementById("text");
const picker = document.getElementById("files");
const status = document.getElementById("status");
const fillPath = location.pathname;
const expectedFingerprint = new URLSearchParams(location.hash.slice(1)).get("k");
let info = null;

function say(message, isError) {
  status.textContent = message;
  status.className = isError ? "alert" : "";
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.message === "string") return body.message;
  } catch {
    // not the API's envelope
  }
  return `The server answered ${response.status}.`;
}

async function checkKey() {
  const response = await fetch(`${fillPath}/info`, { headers: { accept: "application/json" } });
  if (!response.ok) return say(await errorMessage(response), true);
  const fetched = await response.json();
  if (!expectedFingerprint) {
    return say("This link is incomplete: the part after # that identifies the requester's key is missing. Ask for the whole link. Nothing will be sent.", true);
  }
  if ((await publicKeyFingerprint(fromBase64Url(fetched.public_key))) !== expectedFingerprint) {
    return say("Stop: the encryption key the server gave this page does not match the link. Nothing will be sent. Tell whoever asked.", true);
  }
  info = fetched;
  button.disabled = false;
}

async function collect() {
  const files = [];
  const typed = text.value;
  if (info.wanted.kind === "content") {
    if (!typed) throw new Error("Type or paste your answer first.");
    return { kind: "content", contentType: "text/plain", bytes: new TextEncoder().encode(typed) };
  }
  if (typed) files.push({ name: "message.txt", contentType: "text/plain", bytes: new TextEncoder().encode(typed) });
  for (const file of picker.files) {
    files.push({ name: file.name, contentType: file.type || "application/octet-stream", bytes: new Uint8Array(await file.arrayBuffer()) });
  }
  if (files.length === 0) throw new Error("Type some text or pick at least one file first.");
  if (files.length > info.wanted.max_files) throw new Error(`At most ${info.wanted.max_files} files (the text counts as one).`);
  return { kind: "files", files };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!info) return;
  button.disabled = true;
  try {
    say("Encrypting…");
    const envelope = await sealEnvelope(fromBase64Url(info.public_key), encodeDelivery(await collect()), deliveryContext(info.request_id));
    if (envelope.length > info.wanted.max_bytes) {
      throw new Error(`That is ${formatBytes(envelope.length)} encrypted; this request takes at most ${formatBytes(info.wanted.max_bytes)}.`);
    }
    say("Sending…");
    const response = await fetch(fillPath, { method: "POST", headers: { "content-type": "application/octet-stream", accept: "application/json" }, body: envelope });
    if (!response.ok) {
      say(await errorMessage(response), true);
      return;
    }
    form.hidden = true;
    say(`Delivered, encrypted for ${info.requester}. You can close this page.`);
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), true);
    button.disabled = false;
  }
});

checkKey().catch((error) => say(`Could not load this request: ${error instanceof Error ? error.message : error}`, true));
