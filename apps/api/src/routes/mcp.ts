import type { ServerResponse } from "node:http";
import { createMcpHttpHandler, type McpHttpRequest } from "@kubbi.ai/mcp/http";
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import { InProcessAccess } from "../mcp/in-process-access.js";
import { eventClientOf } from "../http/event-client.js";
import { producerOf } from "../http/producer-auth.js";
import { consumerRateLimit } from "../http/rate-limit.js";
import { rememberRouteBase, requestIdOf } from "../http/request-context.js";
import type { ServiceContext } from "../services/context.js";
import { createKubbiSchemas } from "../validation/create-kubbi.js";

/**
 * /mcp: the kubbi tools over MCP Streamable HTTP, run in-process over the services. It passes the same
 * producer chain as /api/v1/kubbis (the very middleware instances: authentication, the key's rate
 * limit, the plan-sized JSON body and its large-body gate), and its inspect and claim tools apply the
 * consumer rules of /r/* on top.
 */
export function mcpRouter(context: ServiceContext, producerChain: RequestHandler[], logger: Logger): Router {
  const schemas = createKubbiSchemas({ min: context.config.minTtlSeconds, max: context.config.maxTtlSeconds });
  const consumerRules = consumerRateLimit(context.store, context.config.consumerRatePerMinute, context.now);
  const handler = createMcpHttpHandler({
    access: (req, res) => {
      const [request, response] = [req as Request, res as Response];
      return new InProcessAccess({
        context,
        schemas,
        producer: producerOf(response),
        consumerRules: () => runMiddleware(consumerRules, request, response),
        requestId: requestIdOf(response),
        logger,
        client: eventClientOf(request),
      });
    },
    allowedHosts: (req) => trustedOrigins(context, req).map((origin) => origin.host),
    allowedOrigins: (req) => trustedOrigins(context, req).map((origin) => origin.origin),
  });

  const router = Router();
  router.use(rememberRouteBase, ...producerChain);
  router.all("/", (req, res) => handler(req, res as ServerResponse));
  return router;
}

/**
 * DNS-rebinding protection: a browser tricked into calling this server sends the attacker's host name, so
 * only the public origin and this listener's own addresses (loopback, or the configured HOST) are answered.
 */
function trustedOrigins(context: ServiceContext, req: McpHttpRequest): URL[] {
  const port = req.socket.localPort;
  const hosts = ["localhost", "127.0.0.1", "[::1]"];
  const { host } = context.config;
  if (host !== "0.0.0.0" && host !== "::") hosts.push(host.includes(":") ? `[${host}]` : host);
  return [new URL(context.publicUrl()), ...hosts.map((name) => new URL(`http://${name}:${port}`))];
}

/** Runs an Express middleware as a step of a tool call: resolves when it calls next(), rejects with what it threw. */
function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (error?: unknown) => (error ? reject(error) : resolve());
    Promise.resolve(middleware(req, res, next)).catch(reject);
  });
}
