// The claim page's only script: the Claim button POSTs, then shows the payload. Producer-controlled
// text is only ever set with textContent; files download from in-memory blobs, nothing leaves the page.
"use strict";
(function () {
  const root = document.getElementById("kubbi");
  const button = document.getElementById("claim");
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  const heading = document.getElementById("heading");

  // Worded as render/wording.ts words it on the server ("1 retrieval left").
  const retrievalsLeft = (remaining) =>
    remaining === null ? "unlimited retrievals until it expires" : remaining === 0 ? "no retrievals left" : `${remaining} retrieval${remaining === 1 ? "" : "s"} left`;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind ? `notice ${kind}` : "";
  }

  const element = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  const bytesOf = (file) =>
    file.encoding === "base64" ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : new TextEncoder().encode(file.content);

  function download(name, bytes, type) {
    const url = URL.createObjectURL(new Blob([bytes], { type: type || "application/octet-stream" }));
    const link = element("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  function crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  /** A stored (uncompressed) zip of every file: "download all" in one go, no library needed. */
  function zip(files) {
    const encoder = new TextEncoder();
    const parts = [];
    const central = [];
    let offset = 0;
    for (const file of files) {
      const name = encoder.encode(file.name);
      const data = bytesOf(file);
      const crc = crc32(data);
      const local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true);
      local.setUint16(4, 20, true);
      local.setUint16(6, 0x0800, true); // UTF-8 names
      local.setUint32(14, crc, true);
      local.setUint32(18, data.length, true);
      local.setUint32(22, data.length, true);
      local.setUint16(26, name.length, true);
      const header = new DataView(new ArrayBuffer(46));
      header.setUint32(0, 0x02014b50, true);
      header.setUint16(4, 20, true);
      header.setUint16(6, 20, true);
      header.setUint16(8, 0x0800, true);
      header.setUint32(16, crc, true);
      header.setUint32(20, data.length, true);
      header.setUint32(24, data.length, true);
      header.setUint16(28, name.length, true);
      header.setUint32(42, offset, true);
      parts.push(new Uint8Array(local.buffer), name, data);
      central.push(new Uint8Array(header.buffer), name);
      offset += 30 + name.length + data.length;
    }
    const centralSize = central.reduce((sum, part) => sum + part.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, files.length, true);
    end.setUint16(10, files.length, true);
    end.setUint32(12, centralSize, true);
    end.setUint32(16, offset, true);
    return new Blob([...parts, ...central, new Uint8Array(end.buffer)], { type: "application/zip" });
  }

  function showText(text) {
    const pre = element("pre", text);
    pre.id = "content";
    const copy = element("button", "Copy", "secondary");
    copy.type = "button";
    copy.id = "copy";
    copy.addEventListener("click", async () => {
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
    });
    const actions = element("div", undefined, "actions");
    actions.append(copy);
    result.append(pre, actions);
  }

  function showFiles(files) {
    for (const file of files) {
      const row = element("div", undefined, "file");
      const save = element("button", "Download", "secondary");
      save.type = "button";
      save.addEventListener("click", () => download(file.name, bytesOf(file), file.content_type));
      const about = element("div", undefined, "file-about");
      about.append(element("span", file.name, "name"), " ", element("span", file.content_type, "type"));
      row.append(about, save);
      result.append(row);
    }
    const all = element("button", "Download all (.zip)");
    all.type = "button";
    all.id = "download-all";
    all.addEventListener("click", () => download("kubbi-package.zip", zip(files), "application/zip"));
    const actions = element("div", undefined, "actions");
    actions.append(all);
    result.append(actions);
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    say("Claiming…");
    try {
      const response = await fetch(root.dataset.claimPath, { method: "POST", headers: { accept: "application/json" } });
      // Gone while the page was open (claimed by someone else, expired, deleted): the page for that says why.
      if (response.status === 410) return location.reload();
      const body = await response.json();
      if (!response.ok) {
        say(body.message || "The claim failed.", "error");
        return;
      }
      heading.textContent = body.burned ? "Claimed: this link is now used up" : "Claimed";
      document.title = "Claimed · kubbi";
      say(body.burned ? "Here it is, shown once. Save what you need before you leave this page: it cannot be shown again." : `Here it is. The link has ${retrievalsLeft(body.remaining_reads)}.`, "success");
      document.getElementById("remaining").textContent = retrievalsLeft(body.remaining_reads);
      button.hidden = true;
      document.getElementById("warning").hidden = true;
      result.hidden = false;
      if (body.type === "kubbi_package") showFiles(body.files);
      else showText(typeof body.content === "string" ? body.content : JSON.stringify(body.content, null, 2));
      heading.focus();
    } catch {
      say("The claim could not reach the server. Nothing was shown; try again.", "error");
      button.disabled = false;
    }
  });
})();
