import { setTimeout as sleep } from "node:timers/promises";
import { call, type Producer } from "./http.js";

/** One kubbi the load made: what the client was told, and every answer its claims got. */
export interface Handoff {
  claimUrl: string;
  /** Statuses of the claims sent for it (0 = the request failed on the network). */
  claims: number[];
}

export interface LoadRecord {
  /** Creates answered 201: acknowledged kubbis. */
  acknowledged: Handoff[];
  /** Every answer that was not a success, with when it came. */
  errors: Array<{ at: number; status: number; error?: string; op: string }>;
  successes: number[];
}

/**
 * Creates (max_retrievals 1) and claims every other one at once, from a few concurrent workers, until
 * stopped: the bounded load for the crash and failover tests. Records every answer.
 */
export function startHandoffLoad(producer: Producer, workers = 4): { record: LoadRecord; stop(): Promise<void> } {
  const record: LoadRecord = { acknowledged: [], errors: [], successes: [] };
  let running = true;
  const answer = async (op: string, send: () => Promise<{ status: number; body: any }>) => {
    try {
      const reply = await send();
      if (reply.status >= 400)
        record.errors.push({ at: Date.now(), status: reply.status, error: reply.body?.error, op });
      else record.successes.push(Date.now());
      return reply;
    } catch (error) {
      record.errors.push({ at: Date.now(), status: 0, error: (error as Error).message, op });
      return { status: 0, body: undefined };
    }
  };
  const worker = async (index: number) => {
    for (let n = 0; running; n++) {
      const created = await answer("create", () =>
        producer.create({
          content: `handoff ${index}-${n}`,
          content_type: "text/plain",
          ttl_seconds: 600,
          max_retrievals: 1,
        }),
      );
      if (created.status !== 201) {
        await sleep(20);
        continue;
      }
      const handoff: Handoff = { claimUrl: created.body.claim_url, claims: [] };
      record.acknowledged.push(handoff);
      if (n % 2 === 0)
        handoff.claims.push(
          (await answer("claim", () => call(`${handoff.claimUrl}/claim`, { method: "POST" }))).status,
        );
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  return {
    record,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Waits (bounded) until the load has made `count` more acknowledged kubbis. */
export async function whenAcknowledged(record: LoadRecord, count: number, timeoutMs = 60_000): Promise<void> {
  const target = record.acknowledged.length + count;
  const deadline = Date.now() + timeoutMs;
  while (record.acknowledged.length < target) {
    if (Date.now() > deadline)
      throw new Error(`only ${record.acknowledged.length} of ${target} kubbis acknowledged in ${timeoutMs} ms`);
    await sleep(25);
  }
}

/**
 * After the fault: claims every acknowledged kubbi once more and checks the promises. A kubbi whose
 * claim got 200 must now be 410 burned (never served twice); one never claimed successfully must still be
 * there (200) unless one of its claims failed without an answer (it may then have burned: 410 is fine).
 */
export async function auditHandoffs(
  record: LoadRecord,
): Promise<{ lost: string[]; revived: string[]; overClaimed: string[] }> {
  const lost: string[] = [];
  const revived: string[] = [];
  const overClaimed: string[] = [];
  for (const handoff of record.acknowledged) {
    const again = (await call(`${handoff.claimUrl}/claim`, { method: "POST" })).status;
    const served = [...handoff.claims, again].filter((status) => status === 200).length;
    if (served > 1) overClaimed.push(handoff.claimUrl);
    if (handoff.claims.includes(200)) {
      if (again !== 410) revived.push(`${handoff.claimUrl} -> ${again}`);
    } else if (handoff.claims.length === 0 || handoff.claims.every((status) => status !== 0 && status !== 503)) {
      if (again !== 200) lost.push(`${handoff.claimUrl} -> ${again}`);
    } else if (again !== 200 && again !== 410) {
      lost.push(`${handoff.claimUrl} -> ${again}`);
    }
  }
  return { lost, revived, overClaimed };
}
