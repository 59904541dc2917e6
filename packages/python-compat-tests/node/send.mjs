/**
 * Sends with the TypeScript SDK (@kubbi.ai/sdk) for the cross-language tests.
 * Usage: node send.mjs <baseUrl> <apiKey> < request.json
 * request.json: { ttlSeconds, maxRetrievals?, metadata?, and either content + contentType, or
 * files: [{ name, contentType, role?, text | base64 }] } — base64 files are handed to the SDK as bytes.
 * Prints the SDK's SendResult / SendFilesResult as JSON.
 */
import { KubbiClient } from "@kubbi.ai/sdk";
import { readStdin } from "./read-stdin.mjs";

const [baseUrl, apiKey] = process.argv.slice(2);
const { files, ...request } = JSON.parse(await readStdin());
const client = new KubbiClient({ apiKey, baseUrl });

const result = files
  ? await client.sendFiles({
      ...request,
      files: files.map(({ text, base64, ...file }) => ({
        ...file,
        content: base64 === undefined ? text : Buffer.from(base64, "base64"),
      })),
    })
  : await client.send(request);
process.stdout.write(`${JSON.stringify(result)}\n`);
