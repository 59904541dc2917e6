import type { RequestStep } from "./request-steps.js";
import { ApiError } from "../errors.js";

/** A route of this server and the methods it answers (HEAD comes with GET, as Express serves it). */
interface RouteMethods {
  /** Express-style path: literal segments and `:name` parameters. */
  path: string;
  methods: readonly string[];
}

/**
 * Every route and its methods, as openapi.yaml declares them. A new route adds its row here (and the
 * gate answers its other methods 405); a row for a route that is not mounted would make that route 405.
 */
const ROUTE_METHODS: readonly RouteMethods[] = [
  { path: "/", methods: ["GET"] },
  { path: "/healthz", methods: ["GET"] },
  { path: "/readyz", methods: ["GET"] },
  { path: "/openapi.json", methods: ["GET"] },
  { path: "/docs", methods: ["GET"] },
  { path: "/docs/assets/:name", methods: ["GET"] },
  { path: "/assets/:name", methods: ["GET"] },
  { path: "/assets/fill/:name", methods: ["GET"] },
  { path: "/favicon.ico", methods: ["GET"] },
  { path: "/metrics", methods: ["GET"] },
  { path: "/api/v1/kubbis", methods: ["GET", "POST"] },
  { path: "/api/v1/kubbis/:id", methods: ["GET", "DELETE"] },
  { path: "/api/v1/kubbis/:id/events", methods: ["GET"] },
  { path: "/api/v1/events", methods: ["GET"] },
  { path: "/r/:token", methods: ["GET"] },
  { path: "/r/:token/inspect", methods: ["GET"] },
  // GET is answered (405, "use POST") by the claim route itself, with its own message.
  { path: "/r/:token/claim", methods: ["GET", "POST"] },
  { path: "/api/v1/requests", methods: ["POST"] },
  { path: "/api/v1/requests/:id", methods: ["GET", "DELETE"] },
  { path: "/f/:token", methods: ["GET", "POST"] },
  { path: "/f/:token/info", methods: ["GET"] },
  { path: "/mcp", methods: ["POST"] },
  { path: "/api/v1/webhook", methods: ["GET", "PUT", "DELETE"] },
];

interface CompiledRoute {
  pattern: RegExp;
  allow: string;
  methods: ReadonlySet<string>;
}

/** Express matching: case-insensitive, one optional trailing slash, a parameter is one non-empty segment. */
function compile({ path, methods }: RouteMethods): CompiledRoute {
  const segments = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  const answered = methods.includes("GET") ? [...methods, "HEAD"] : [...methods];
  return {
    pattern: new RegExp(`^${segments.join("/")}/?$`, "i"),
    allow: [...answered].sort().join(", "),
    methods: new Set(answered),
  };
}

/**
 * A method a known route does not answer is 405 with `Allow` (RFC 9110 §15.5.6), before any
 * authentication, rate limit or body parsing: the route's shape is public, and a body sent to a route
 * that takes none must not be judged as one. Unknown paths fall through to the 404.
 */
export function methodGate(routes: readonly RouteMethods[] = ROUTE_METHODS): RequestStep {
  const compiled = routes.map(compile);
  // Per method, one pattern of the routes that do not answer it: an answered request (nearly every one)
  // costs one test, not one per route; only a refused one looks up its route for the Allow header.
  const refusing = new Map<string, RegExp | null>();
  const refusedBy = (method: string) => {
    if (!refusing.has(method)) {
      const patterns = compiled.filter(({ methods }) => !methods.has(method)).map(({ pattern }) => pattern.source);
      refusing.set(
        method,
        patterns.length ? new RegExp(patterns.map((source) => `(?:${source})`).join("|"), "i") : null,
      );
    }
    return refusing.get(method)!;
  };
  return (req, res) => {
    // Methods are Node's known tokens (its parser refuses others), so the map stays small.
    if (!refusedBy(req.method)?.test(req.path)) return;
    const route = compiled.find(({ pattern }) => pattern.test(req.path))!;
    if (route.methods.has(req.method)) return;
    res.setHeader("Allow", route.allow);
    throw new ApiError("method_not_allowed", `${req.method} is not answered here; this route answers ${route.allow}.`);
  };
}
