/**
 * The round trip every runtime runs against the live API with the built package:
 * send → inspect → claim → a second claim is KubbiGoneError → the kubbi's events, and the key's log read from
 * its created event on (an async generator, in every runtime); then a request link: request → fulfil (sealed with
 * this runtime's Web Crypto) → the handle, through toJSON/resumeRequest, claims and decrypts a text and a
 * binary file; then verifyWebhook on a Standard Webhooks delivery (webhook-check.mjs). Returns a summary; throws on any mismatch.
 * Plain JavaScript with no runtime-specific API, so Node, Deno, Bun and workerd all run this same file.
 */
import { checkWebhookVerification } from "./webhook-check.mjs";

export async function roundtrip(sdk, { baseUrl, apiKey, runtime }) {
  const check = (condition, what) => {
    if (!condition) throw new Error(`${runtime}: ${what}`);
  };
  const client = new sdk.KubbiClient({ apiKey, baseUrl });
  const content = `hello from ${runtime}`;
  const sent = await client.send({
    content,
    contentType: "text/plain",
    ttlSeconds: 600,
    maxRetrievals: 1,
    metadata: { runtime },
  });
  check(sent.claimUrl.startsWith(`${baseUrl}/r/`), `claimUrl ${sent.claimUrl}`);

  const info = await sdk.inspect(sent.claimUrl, { allowedOrigins: [baseUrl] });
  check(info.status === "active" && info.retrievalCount === 0 && info.metadata?.runtime === runtime, "inspect");

  const claimed = await sdk.claim(sent.claimUrl, { allowedOrigins: [baseUrl] });
  check(claimed.type === "kubbi" && claimed.content === content && claimed.burned === true, "claim");

  let second;
  try {
    await sdk.claim(sent.claimUrl);
  } catch (error) {
    second = error;
  }
  check(sdk.isKubbiGoneError(second), `second claim threw ${second}`);
  check(
    second instanceof sdk.KubbiGoneError && second.reason === "burned" && second.status === 410,
    "second claim's error",
  );

  const events = await client.events(sent.id);
  const types = events.map((event) => event.type).join(",");
  check(types === "kubbi.created,kubbi.claimed,kubbi.burned", `events ${types}`);
  check(events[1].client !== null && events[1].retrievalsLeft === 0, "the claimed event");
  // Other runtimes write to the same key meanwhile: walk from this kubbi's created event to its burned one.
  let walked = 0;
  for await (const event of client.allEvents({ since: events[0].id, limit: 1 })) {
    if (event.kubbiId === sent.id) walked++;
    if (event.id === events[2].id) break;
  }
  check(walked === 2, `allEvents after the created event saw ${walked} of this kubbi's events, not 2`);

  const { fillUrl, handle } = await client.request({
    description: `from ${runtime}`,
    kind: "files",
    requestTtlSeconds: 600,
    ttlSeconds: 600,
  });
  const binary = new Uint8Array([0, 1, 2, 253, 254, 255]);
  await sdk.fulfil(fillUrl, {
    files: [
      { name: "note.txt", content: `sealed in ${runtime}` },
      { name: "blob.bin", content: binary },
    ],
  });
  const resumed = sdk.KubbiClient.resumeRequest(JSON.parse(JSON.stringify(handle)), { apiKey });
  await resumed.wait({ pollIntervalMs: 50 });
  const delivered = await resumed.claim();
  check(delivered.type === "kubbi_package" && delivered.files[0].text === `sealed in ${runtime}`, "request: text file");
  check(delivered.files[1].bytes.join(",") === binary.join(","), "request: binary file");

  return {
    runtime,
    id: sent.id,
    content: claimed.content,
    secondClaim: `${second.name}:${second.reason}`,
    events: types,
    request: delivered.files.map((file) => file.name).join(","),
    webhook: await checkWebhookVerification(sdk, runtime),
  };
}
