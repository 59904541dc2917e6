/**
 * A progress bar for large transfers, drawn on stderr. It is only ever enabled when stdout is a terminal
 * (see bin.ts): piped output gets none, so scripts see clean data and clean logs.
 */
import { type FetchLike, formatBytes } from "@kubbi.ai/sdk";

/** Transfers smaller than this finish too fast for a bar to help. */
export const PROGRESS_THRESHOLD_BYTES = 1024 * 1024;
const BAR_WIDTH = 24;
const UPLOAD_CHUNK_BYTES = 64 * 1024;

/** One frame: `sending   [##########--------------]  42%  4.2 MiB / 10 MiB`. */
export function renderProgress(label: string, done: number, total: number): string {
  const fraction = total > 0 ? Math.min(done / total, 1) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label.padEnd(9)} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${percent}  ${formatBytes(done)} / ${formatBytes(total)}`;
}

class ProgressBar {
  #done = 0;
  #lastPercent = -1;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly label: string,
    private readonly total: number,
  ) {}

  advance(bytes: number): void {
    this.#done += bytes;
    // Redraw only when the shown percentage changes: at most 101 frames, however the bytes arrive.
    const percent = Math.floor((Math.min(this.#done, this.total) / this.total) * 100);
    if (percent === this.#lastPercent) return;
    this.#lastPercent = percent;
    this.stream.write(`\r${renderProgress(this.label, this.#done, this.total)}`);
  }

  finish(): void {
    if (this.#lastPercent >= 0) this.stream.write("\n");
  }
}

/** Wraps fetch so request bodies and responses over the threshold advance a bar as their bytes move. */
export function fetchWithProgress(stream: NodeJS.WritableStream, fetchImpl: FetchLike = globalThis.fetch): FetchLike {
  return async (input, init) => {
    let request = init;
    if (typeof init.body === "string" && Buffer.byteLength(init.body) >= PROGRESS_THRESHOLD_BYTES) {
      const bytes = Buffer.from(init.body);
      const bar = new ProgressBar(stream, "sending", bytes.length);
      request = { ...init, body: countingUpload(bytes, bar), duplex: "half" } as RequestInit;
    }
    const response = await fetchImpl(input, request);
    const length = Number(response.headers.get("content-length"));
    if (!response.body || !(length >= PROGRESS_THRESHOLD_BYTES)) return response;
    const bar = new ProgressBar(stream, "receiving", length);
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bar.advance(chunk.byteLength);
          controller.enqueue(chunk);
        },
        flush: () => bar.finish(),
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** A pull stream: each chunk is handed over only when fetch asks for it, so the bar follows the socket. */
function countingUpload(bytes: Buffer, bar: ProgressBar): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        bar.finish();
        controller.close();
        return;
      }
      const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
      offset += chunk.length;
      bar.advance(chunk.length);
      controller.enqueue(chunk);
    },
  });
}
