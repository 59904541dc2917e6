/**
 * The round trip every runtime runs against the live API with the built package:
 * send → inspect → claim → a second claim is KubbiGoneError. Returns a summary; throws on any mismatch.
 * Plain JavaScript with no runtime-specific API, so Node, Deno, Bun and workerd all run this same file.
 */
export async function roundtrip(sdk, { baseUrl, apiKey, runtime }) {
  const check = (condition, what) => {
    if (!condition) throw new Error(`${runtime}: ${what}`);
  };
  const client = new sdk.KubbiClient({ apiKey, baseUrl });
  const content = `hello from ${runtime}`;
  const sent = await client.send({ content, contentType: "text/plain", ttlSeconds: 600, maxRetrievals: 1, metadata: { runtime } });
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
  check(second instanceof sdk.KubbiGoneError && second.reason === "burned" && second.status === 410, "second claim's error");

  return { runtime, id: sent.id, content: claimed.content, secondClaim: `${second.name}:${second.reason}` };
}
