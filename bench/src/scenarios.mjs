// @ts-check
/**
 * Every scenario: which server it loads, with what requests, and how many connections. Baselines are
 * scenarios too, measured in the same rounds as the API so drift over the run hits both alike.
 */
import { MIB, packageBody, single1kbBody } from "./payloads.mjs";

/** Enough connections to saturate a single-threaded server without queueing absurdly. */
const SMALL_CONNECTIONS = 32;
/** Multi-megabyte bodies: a few at a time, as a fleet of agents moving packages would. */
const PACKAGE_CONNECTIONS = 4;
const PACKAGE_FILE_BYTES = MIB;

const json = { "content-type": "application/json" };
const bearer = (apiKey) => ({ authorization: `Bearer ${apiKey}`, ...json });
const fixed = (method, path, headers = {}, body = undefined) => ({ kind: "fixed", method, path, headers, body });
const create1kb = (apiKey) => fixed("POST", "/api/v1/kubbis", bearer(apiKey), single1kbBody({ ttlSeconds: 3600 }));
/** Create, then claim the kubbi it made: max_retrievals 1, so the claim burns it. */
const burnCycle = (apiKey) => ({
  kind: "create-then-claim",
  createPath: "/api/v1/kubbis",
  headers: bearer(apiKey),
  body: single1kbBody({ maxRetrievals: 1, ttlSeconds: 3600 }),
});

/**
 * @param {{ api: any, storedKey: string, targets: { inspectToken: string, claimToken: string }, listSizes: [number, number] }} context
 */
export function defineScenarios({ api, storedKey, targets, listSizes }) {
  const transferPackage = packageBody(PACKAGE_FILE_BYTES);
  const apiPackage = packageBody(PACKAGE_FILE_BYTES, { maxRetrievals: 1 });
  const listPath = "/api/v1/kubbis?page=1&limit=20";
  const [small, large] = listSizes;
  return [
    {
      id: "limit-claim",
      title: "limit: node:http + EVALSHA claim, 1 KB",
      server: "limit",
      connections: SMALL_CONNECTIONS,
      workload: fixed("POST", "/claim"),
    },
    {
      id: "floor-claim",
      title: "framework floor: Express 5 + EVALSHA claim, 1 KB",
      server: "floor",
      connections: SMALL_CONNECTIONS,
      workload: fixed("POST", "/claim"),
    },
    {
      id: "floor-create",
      title: "create floor: Express 5 + express.json() 1 KB body + the API's create script",
      server: "floor",
      connections: SMALL_CONNECTIONS,
      workload: fixed("POST", "/create", json, single1kbBody({ ttlSeconds: 3600 })),
    },
    {
      id: "transfer",
      title: "transfer baseline: node:http package 5 x 1 MiB, store + return",
      server: "transfer",
      connections: PACKAGE_CONNECTIONS,
      payloadBytesPerCycle: transferPackage.payloadBytes,
      workload: fixed("POST", "/transfer", json, transferPackage.body),
    },
    {
      id: "create-1kb",
      title: "create 1 KB single",
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: create1kb(api.keys.main),
    },
    {
      id: "create-1kb-webhook",
      title: "create 1 KB single, key with a webhook endpoint",
      server: "api",
      connections: SMALL_CONNECTIONS,
      webhook: true, // kubbi.created, delivered to the orchestrator's receiver
      workload: create1kb(api.keys.webhook),
    },
    {
      id: "create-1kb-stored-key",
      title: "create 1 KB single, key made with kubbi-admin (stored in Redis)",
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: create1kb(storedKey),
    },
    {
      id: "inspect",
      title: "inspect (GET /r/:token)",
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: fixed("GET", `/r/${targets.inspectToken}`),
    },
    {
      id: "claim-1kb",
      title: "claim 1 KB (high max_retrievals)",
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: fixed("POST", `/r/${targets.claimToken}/claim`),
    },
    {
      id: "burn-cycle",
      title: "burn cycle: create + claim, max_retrievals 1",
      server: "api",
      connections: SMALL_CONNECTIONS,
      requestsPerCycle: 2,
      workload: burnCycle(api.keys.main),
    },
    {
      id: "burn-cycle-webhook",
      title: "burn cycle, key with a webhook endpoint",
      server: "api",
      connections: SMALL_CONNECTIONS,
      requestsPerCycle: 2,
      webhook: true, // kubbi.created, .claimed and .burned, delivered to the orchestrator's receiver
      workload: burnCycle(api.keys.webhook),
    },
    {
      id: "burn-cycle-stored-key",
      title: "burn cycle, key made with kubbi-admin (stored in Redis)",
      server: "api",
      connections: SMALL_CONNECTIONS,
      requestsPerCycle: 2,
      workload: burnCycle(storedKey),
    },
    {
      id: "package-5x1mib",
      title: "package 5 x 1 MiB (1 binary): create + claim, one key per connection",
      server: "api",
      connections: PACKAGE_CONNECTIONS,
      requestsPerCycle: 2,
      payloadBytesPerCycle: apiPackage.payloadBytes,
      workload: {
        kind: "create-then-claim",
        createPath: "/api/v1/kubbis",
        headers: json,
        // A key reads one large body at a time: one key per connection, as separate producers would.
        distinctApiKeys: api.keys.packageKeys,
        body: apiPackage.body,
      },
    },
    {
      id: "list-small",
      title: `list page (20 rows), ${small.toLocaleString("en")} kubbis on the key`,
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: fixed("GET", listPath, bearer(api.keys.listSmall)),
    },
    {
      id: "list-large",
      title: `list page (20 rows), ${large.toLocaleString("en")} kubbis on the key`,
      server: "api",
      connections: SMALL_CONNECTIONS,
      workload: fixed("GET", listPath, bearer(api.keys.listLarge)),
    },
  ];
}
