declare module "cluster-key-slot" {
  /** The Redis Cluster slot (CRC16 of the key's hash tag, mod 16384), as ioredis computes it. */
  export default function calculateSlot(key: string | Buffer): number;
}
