import { CLAIM } from "./claim.js";
import { DELETE } from "./delete.js";
import { APPEND_EVENTS, SWEEP_OWNER_EVENTS } from "./event-log.js";
import { EXPIRE_KUBBI } from "./expire-kubbi.js";
import { ADVANCE_EXPIRY_CURSOR, DUE_EXPIRIES } from "./expiry-scan.js";
import { ABANDON_IDEMPOTENT, BEGIN_IDEMPOTENT } from "./idempotency.js";
import { CREATE_KUBBI, MARK_GONE, OWNER_PAGE, RESERVE_OWNER_SLOT, SWEEP_OWNER_INDEX, UNINDEX } from "./owner-index.js";
import { RATE_LIMIT } from "./rate-limit.js";
import { KUBBI_EVENT_ENTRIES } from "./read-events.js";
import { READ_KUBBI } from "./read-kubbi.js";
import { RESTORE_CLAIM } from "./restore-claim.js";
import type { LuaScript } from "./script.js";
import { STORE_KUBBI } from "./store-kubbi.js";

/** Every script the store runs, declared once: each is defined on the connection at start. */
export const SCRIPTS: ReadonlyArray<LuaScript<unknown, never>> = [
  STORE_KUBBI,
  CLAIM,
  RESTORE_CLAIM,
  READ_KUBBI,
  DELETE,
  RESERVE_OWNER_SLOT,
  CREATE_KUBBI,
  OWNER_PAGE,
  SWEEP_OWNER_INDEX,
  MARK_GONE,
  UNINDEX,
  RATE_LIMIT,
  BEGIN_IDEMPOTENT,
  ABANDON_IDEMPOTENT,
  APPEND_EVENTS,
  SWEEP_OWNER_EVENTS,
  EXPIRE_KUBBI,
  DUE_EXPIRIES,
  ADVANCE_EXPIRY_CURSOR,
  KUBBI_EVENT_ENTRIES,
];
