// Bun, ESM build: bun test/runtimes/bun.mjs <baseUrl> <apiKey>
import * as sdk from "../../dist/index.js";
import { roundtrip } from "./roundtrip.mjs";

const [baseUrl, apiKey] = Bun.argv.slice(2);
console.log(JSON.stringify(await roundtrip(sdk, { baseUrl, apiKey, runtime: `bun ${Bun.version}` })));
