import type { Request, Response } from "express";
import { PAGE_HEADERS, renderHomePage } from "../claim-page/render.js";
import type { ServiceContext } from "../services/context.js";

/**
 * GET /: what this server is and where its contract and reference are. A browser gets a small
 * page; anything else (curl, agents, Accept: application/json) gets JSON, as on /r/:token.
 */
export function home(context: ServiceContext) {
  return (req: Request, res: Response) => {
    res.vary("Accept");
    if (req.accepts(["json", "html"]) === "html") {
      res.set(PAGE_HEADERS).type("html").send(renderHomePage());
      return;
    }
    const origin = context.publicUrl();
    res.json({
      name: "kubbi",
      description:
        "A secure handoff layer for AI agents: create a kubbi with an API key, share its claim URL, claim it once.",
      docs_url: `${origin}/docs`,
      openapi_url: `${origin}/openapi.json`,
      kubbis_url: `${origin}/api/v1/kubbis`,
      health_url: `${origin}/healthz`,
    });
  };
}
