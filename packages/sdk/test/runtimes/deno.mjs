// Deno, ESM build: deno run --allow-net=127.0.0.1 test/runtimes/deno.mjs <baseUrl> <apiKey>
import * as sdk from "../../dist/index.js";
import { roundtrip } from "./roundtrip.mjs";

const [baseUrl, apiKey] = Deno.args;
console.log(JSON.stringify(await roundtrip(sdk, { baseUrl, apiKey, runtime: "deno" })));
