/**
 * `@kubbi.ai/sdk/wire`: the conversions between the API's snake_case JSON and the SDK's camelCase
 * shapes, for code that speaks the kubbi API without HTTP (the API's own in-process MCP endpoint), and
 * the API key's pattern and Bearer parser the API and the MCP tools share.
 * Application code wants `KubbiClient`, `claim` and `inspect` instead.
 */
export {
  toClaimResult,
  toDeleteResult,
  toInspectResult,
  toKubbiDetail,
  toKubbiList,
  toSendFilesResult,
  toSendResult,
  toWireCreatePackage,
  toWireCreateSingle,
} from "./convert.js";
export { resolveClaimTarget, type ClaimTarget } from "./claim-target.js";
export { apiErrorFor } from "./errors.js";
export { API_KEY_PATTERN, bearerCredential, isWellFormedApiKey } from "./api-key.js";
export type * from "./wire.js";
