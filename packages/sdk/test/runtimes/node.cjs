// Node, CJS build: node test/runtimes/node.cjs <baseUrl> <apiKey>
const sdk = require("../../dist/index.cjs");

const [baseUrl, apiKey] = process.argv.slice(2);
import("./roundtrip.mjs")
  .then(({ roundtrip }) => roundtrip(sdk, { baseUrl, apiKey, runtime: "node-cjs" }))
  .then((summary) => console.log(JSON.stringify(summary)))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
