import type { Response } from "express";
import { ApiError, type GoneReason } from "../errors.js";
import { inspectKubbi } from "../services/claims.js";
import type { ServiceContext } from "../services/context.js";
import { PAGE_HEADERS, renderClaimPage, renderGonePage, renderNotFoundPage } from "./render.js";

const GONE_REASONS = new Set<string>(["burned", "expired", "deleted"]);

/** Renders the claim page from an inspect (which never consumes); gone and unknown links get plain pages. */
export async function sendClaimPage(context: ServiceContext, claimToken: string, res: Response): Promise<void> {
  res.set(PAGE_HEADERS).type("html");
  try {
    const inspected = await inspectKubbi(context, claimToken);
    res.send(renderClaimPage(inspected, `/r/${claimToken}/claim`));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (GONE_REASONS.has(error.code)) {
      res.status(410).send(renderGonePage(error.code as GoneReason));
    } else if (error.code === "not_found") {
      res.status(404).send(renderNotFoundPage());
    } else {
      throw error;
    }
  }
}
