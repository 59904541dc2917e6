// A Cloudflare Worker (workerd, through miniflare) using the ESM build; the API address comes in as bindings.
import * as sdk from "../../dist/index.js";
import { roundtrip } from "./roundtrip.mjs";

export default {
  async fetch(_request, env) {
    try {
      const summary = await roundtrip(sdk, {
        baseUrl: env.KUBBI_BASE_URL,
        apiKey: env.KUBBI_API_KEY,
        runtime: `workerd ${navigator.userAgent}`,
      });
      return Response.json(summary);
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
