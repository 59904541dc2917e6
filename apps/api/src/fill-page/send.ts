import type { Response } from "express";
import { PAGE_HEADERS } from "../claim-page/render.js";
import { ApiError } from "../errors.js";
import type { ServiceContext } from "../services/context.js";
import { fillInfo } from "../services/requests.js";
import { isRefusedReason, renderFillPage, renderRefusedPage } from "./render.js";

/** The fill page (same strict headers as the claim page); a refused link gets a plain page with its status. */
export async function sendFillPage(context: ServiceContext, fillToken: string, res: Response): Promise<void> {
  res.set(PAGE_HEADERS).type("html");
  try {
    res.send(renderFillPage(await fillInfo(context, fillToken)));
  } catch (error) {
    if (!(error instanceof ApiError) || !isRefusedReason(error.code)) throw error;
    res.status(error.status).send(renderRefusedPage(error.code));
  }
}
