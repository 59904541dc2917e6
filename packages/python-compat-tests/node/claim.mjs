/**
 * Claims with the TypeScript SDK (@kubbi.ai/sdk) for the cross-language tests.
 * Usage: node claim.mjs <claimUrl>
 * Prints the SDK's ClaimResult as JSON, each file's bytes as base64.
 */
import { claim } from "@kubbi.ai/sdk";

const result = await claim(process.argv[2]);
const printable =
  result.type === "kubbi_package"
    ? { ...result, files: result.files.map((file) => ({ ...file, bytes: Buffer.from(file.bytes).toString("base64") })) }
    : result;
process.stdout.write(`${JSON.stringify(printable)}\n`);
