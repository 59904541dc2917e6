import { isIP } from "node:net";

/** What Express's `trust proxy` gets: a hop count, or the addresses/subnets of the proxies. */
export type TrustProxy = number | string[];

const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const WHAT_TO_WRITE =
  "write the number of proxies in front of kubbi (KUBBI_TRUST_PROXY=1 for one nginx) or their addresses (KUBBI_TRUST_PROXY=127.0.0.1,10.0.0.0/8); leave it unset when clients connect directly";

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * KUBBI_TRUST_PROXY as a hop count or an address list. `true` is refused: it trusts every
 * X-Forwarded-For entry, so any client could choose its own rate-limit bucket.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") {
    throw new Error(
      `"${trimmed}" is not accepted (true lets any client choose its rate-limit bucket with X-Forwarded-For): ${WHAT_TO_WRITE}`,
    );
  }
  const entries = trimmed.split(",").map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !isAddressOrSubnet(entry));
  if (invalid.length > 0)
    throw new Error(
      `${JSON.stringify(invalid.join(","))} is neither a hop count nor an address list: ${WHAT_TO_WRITE}`,
    );
  return entries;
}
