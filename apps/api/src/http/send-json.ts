import type { Response } from "express";

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Sends a body already serialised to JSON, as one socket write. Express's res.json/res.send would
 * stringify again, judge freshness, and turn any body of 1,000 characters or more into a Buffer that
 * Node writes as a second chunk after the headers; a string passed to end() goes out with the headers.
 */
export function sendJson(res: Response, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", JSON_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(json, "utf8"));
  // Node sends no body for HEAD, and keeps the Content-Length a GET would have had.
  res.end(json, "utf8");
}
