import { isIPv4, isIPv6 } from "node:net";

/** The eight 16-bit groups of an IPv6 address, as numbers (zone ids dropped, embedded IPv4 expanded). */
function ipv6Groups(address: string): number[] {
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const toGroups = (part: string) =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split(".").map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const first = toGroups(head);
  if (tail === undefined) return first;
  const last = toGroups(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/**
 * The per-address rate-limit bucket of a client. IPv4 clients count one by one; an IPv6 client
 * counts with its /64, since one subscriber usually holds a whole /64 and could otherwise rotate
 * through 2^64 buckets. IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address.split("%")[0]!)) return address;
  return `${ipv6Groups(address)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
