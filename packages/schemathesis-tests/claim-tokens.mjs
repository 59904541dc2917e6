// Creates a single-payload kubbi and a package with unlimited retrievals and prints their claim tokens, one quoted string a line (a Schemathesis dictionary file).
const [baseUrl, apiKey] = process.argv.slice(2);
const bodies = [
  { content: { hello: "schemathesis" }, content_type: "application/json", ttl_seconds: 3600, max_retrievals: null },
  {
    files: [{ name: "notes.md", content: "# notes", content_type: "text/markdown", role: "instructions" }],
    ttl_seconds: 3600,
  },
];
for (const body of bodies) {
  const response = await fetch(`${baseUrl}/api/v1/kubbis`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`creating a kubbi for the run answered ${response.status}`);
  const { claim_url: claimUrl } = await response.json();
  console.log(JSON.stringify(new URL(claimUrl).pathname.split("/").at(-1)));
}
