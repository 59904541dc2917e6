// Node, ESM build: node test/runtimes/node.mjs <baseUrl> <apiKey>
import * as sdk from "../../dist/index.js";
import { roundtrip } from "./roundtrip.mjs";

const [baseUrl, apiKey] = process.argv.slice(2);
console.log(JSON.stringify(await roundtrip(sdk, { baseUrl, apiKey, runtime: "node-esm" })));
