import type { Response } from "express";

const SLICE_CHARACTERS = 64 * 1024;

/** Resolves when the response can take more, or is closed. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });
}

/**
 * Writes a large JSON body in slices, each after the previous one drained. Written whole, a body
 * waits in memory until a slow client takes it all and the socket's idle timer only sees the end;
 * in slices, every slice the client takes counts as progress, so the write timeout measures a
 * client that stopped reading, not one on a slow link.
 */
export async function sendJsonInSlices(res: Response, json: string): Promise<void> {
  // Slices of the string, encoded one at a time: no second, whole copy of the body as bytes.
  res.type("application/json").setHeader("Content-Length", String(Buffer.byteLength(json, "utf8")));
  let offset = 0;
  while (offset < json.length) {
    if (res.destroyed) return;
    // Never split a surrogate pair: a slice ending on a high surrogate takes its partner along.
    let end = Math.min(offset + SLICE_CHARACTERS, json.length);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end += 1;
    const more = res.write(json.slice(offset, end), "utf8");
    offset = end;
    if (!more) await drained(res);
  }
  res.end();
}
