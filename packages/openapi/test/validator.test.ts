import { describe, expect, it } from "vitest";
import type {
  ClaimFile,
  ClaimPackageResponse,
  ClaimSingleResponse,
  CreatePackageResponse,
  CreateSingleResponse,
  CreatedFile,
  DeleteResponse,
  ErrorBody,
  Event,
  EventList,
  InspectPackageResponse,
  InspectSingleResponse,
  KubbiDetail,
  KubbiList,
  ManifestEntry,
} from "../src/index.js";
import { createResponseValidator } from "../src/validator.js";

// Samples written from WIRE.md; `satisfies` makes `pnpm typecheck` hold them to the generated types too.
const token = Buffer.alloc(32, 0xa7).toString("base64url"); // 43 chars, like a real claim token
const id = "d290f1ee-6c54-4b01-90e6-d701748f0851";
const createdAt = "2026-03-28T12:00:00.000Z";
const expiresAt = "2026-03-28T13:00:00.000Z";

const configEntry = {
  name: "config.json",
  content_type: "application/json",
  size_bytes: 31,
  role: "config",
} satisfies ManifestEntry;
const artifactEntry = {
  name: "artifact.tar.gz",
  content_type: "application/gzip",
  size_bytes: 4,
  role: null,
} satisfies ManifestEntry;
const manifest = [configEntry, artifactEntry];
// Hashes only where the bytes are at hand: in the 201 to the producer and in the claim to the consumer.
const createdConfig = { ...configEntry, sha256: "a".repeat(64) } satisfies CreatedFile;
const createdArtifact = { ...artifactEntry, sha256: "b".repeat(64) } satisfies CreatedFile;
const createdFiles = [createdConfig, createdArtifact];
const textClaimFile = {
  ...createdConfig,
  content: '{"env":"prod","region":"eu-1"}',
  encoding: null,
} satisfies ClaimFile;
const binaryClaimFile = { ...createdArtifact, content: "H4sI", encoding: "base64" } satisfies ClaimFile;

const createdSingle = {
  id,
  type: "kubbi",
  claim_url: `http://localhost:3000/r/${token}`,
  claim_token: token,
  status: "active",
  content_type: "text/plain",
  total_size_bytes: 19,
  max_retrievals: 1,
  metadata: null,
  created_at: createdAt,
  expires_at: expiresAt,
} satisfies CreateSingleResponse;

const createdPackage = {
  id,
  type: "kubbi_package",
  claim_url: `http://localhost:3000/r/${token}`,
  claim_token: token,
  status: "active",
  file_count: 2,
  total_size_bytes: 35,
  files: createdFiles,
  max_retrievals: null,
  metadata: { source: "billing" },
  created_at: createdAt,
  expires_at: expiresAt,
} satisfies CreatePackageResponse;

const detailSingle = {
  id,
  type: "kubbi",
  status: "burned",
  content_type: "application/json",
  file_count: null,
  total_size_bytes: 19,
  max_retrievals: 1,
  retrieval_count: 1,
  remaining_reads: 0,
  first_retrieved_at: "2026-03-28T12:10:00.000Z",
  last_retrieved_at: "2026-03-28T12:10:00.000Z",
  metadata: null,
  files: null,
  sealed_with_unknown_key: false,
  created_at: createdAt,
  expires_at: expiresAt,
  last_claim: { at: "2026-03-28T12:10:00.000Z", address: "203.0.113.7", user_agent: "python-httpx/0.28.1" },
  inspect_count: 2,
  last_inspected_at: "2026-03-28T12:05:00.000Z",
  expired_unclaimed: false,
} satisfies KubbiDetail;

const detailPackage = {
  ...detailSingle,
  type: "kubbi_package",
  status: "active",
  content_type: null,
  file_count: 2,
  files: manifest,
  max_retrievals: null,
  retrieval_count: 0,
  remaining_reads: null,
  first_retrieved_at: null,
  last_retrieved_at: null,
  last_claim: null,
  inspect_count: 0,
  last_inspected_at: null,
} satisfies KubbiDetail;

const list = {
  kubbis: [detailPackage, detailSingle],
  pagination: { page: 1, limit: 20, total: 2, total_pages: 1 },
} satisfies KubbiList;

const claimedEvent = {
  id: "1774699800000-0",
  type: "kubbi.claimed",
  occurred_at: "2026-03-28T12:10:00.000Z",
  kubbi_id: id,
  key_id: "key_1",
  retrieval_count: 1,
  max_retrievals: 1,
  retrievals_left: 0,
  client: { address: "203.0.113.7", user_agent: "python-httpx/0.28.1" },
} satisfies Event;

const eventList = {
  events: [
    {
      ...claimedEvent,
      id: "1774699200000-0",
      type: "kubbi.created",
      retrieval_count: 0,
      retrievals_left: 1,
      client: null,
    },
    claimedEvent,
    { ...claimedEvent, id: "1774699800000-1", type: "kubbi.burned" },
  ],
  next_since: "1774699800000-1",
  has_more: false,
} satisfies EventList;

const claimInstructions = {
  url: `http://localhost:3000/r/${token}/claim`,
  method: "POST",
  description: "POST to this URL to retrieve the content. This counts as a retrieval.",
} as const;

const inspectSingle = {
  type: "kubbi",
  kubbi_id: id,
  status: "active",
  content_type: "text/plain",
  total_size_bytes: 19,
  max_retrievals: 3,
  retrieval_count: 1,
  remaining_reads: 2,
  metadata: null,
  created_at: createdAt,
  expires_at: expiresAt,
  claim: claimInstructions,
} satisfies InspectSingleResponse;

const inspectPackage = {
  type: "kubbi_package",
  kubbi_id: id,
  status: "active",
  file_count: 2,
  total_size_bytes: 35,
  max_retrievals: null,
  retrieval_count: 0,
  remaining_reads: null,
  metadata: null,
  files: manifest,
  created_at: createdAt,
  expires_at: expiresAt,
  claim: claimInstructions,
} satisfies InspectPackageResponse;

const claimSingle = {
  type: "kubbi",
  kubbi_id: id,
  content: { order_id: "123", items: [1, 2] },
  content_type: "application/json",
  metadata: null,
  created_at: createdAt,
  expires_at: expiresAt,
  retrieval_count: 1,
  remaining_reads: 0,
  burned: true,
} satisfies ClaimSingleResponse;

const claimPackage = {
  type: "kubbi_package",
  kubbi_id: id,
  file_count: 2,
  total_size_bytes: 35,
  files: [textClaimFile, binaryClaimFile],
  metadata: null,
  created_at: createdAt,
  expires_at: expiresAt,
  retrieval_count: 2,
  remaining_reads: null,
  burned: false,
} satisfies ClaimPackageResponse;

const deleted = { id, status: "deleted" } satisfies DeleteResponse;

const errorBody = (error: ErrorBody["error"], messages: string[] = []): ErrorBody => ({
  error,
  message: messages.join("; ") || "something went wrong",
  messages,
  request_id: "0b6c0d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
});

const validator = createResponseValidator();

describe("validateResponse accepts bodies that follow the contract", () => {
  it.each([
    ["POST", "/api/v1/kubbis", 201, createdSingle],
    ["POST", "/api/v1/kubbis", 201, createdPackage],
    ["GET", "/api/v1/kubbis/{id}", 200, detailSingle],
    ["GET", "/api/v1/kubbis/{id}", 200, detailPackage],
    ["GET", "/api/v1/kubbis/{id}", 200, { ...detailPackage, status: "burned", files: null, metadata: null }],
    [
      "GET",
      "/api/v1/kubbis/{id}",
      200,
      { ...detailPackage, files: null, metadata: null, sealed_with_unknown_key: true },
    ],
    ["POST", "/api/v1/kubbis", 201, { ...createdSingle, status: "burned" }],
    ["GET", "/api/v1/kubbis", 200, list],
    ["GET", "/api/v1/kubbis", 200, { kubbis: [], pagination: { page: 3, limit: 100, total: 0, total_pages: 0 } }],
    ["DELETE", "/api/v1/kubbis/{id}", 200, deleted],
    ["GET", "/api/v1/kubbis/{id}/events", 200, eventList],
    ["GET", "/api/v1/events", 200, { events: [], next_since: null, has_more: false }],
    ["GET", "/r/{token}", 200, inspectSingle],
    ["GET", "/r/{token}/inspect", 200, inspectPackage],
    ["POST", "/r/{token}/claim", 200, claimSingle],
    ["POST", "/r/{token}/claim", 200, { ...claimSingle, content_type: "text/plain", content: "sensitive data" }],
    ["POST", "/r/{token}/claim", 200, claimPackage],
    ["GET", "/healthz", 200, { status: "ok" }],
    ["GET", "/readyz", 200, { status: "ready" }],
    ["POST", "/api/v1/kubbis", 400, errorBody("validation_error", ["ttl_seconds: must be at least 60"])],
    ["POST", "/api/v1/kubbis", 400, errorBody("invalid_json")],
    ["POST", "/api/v1/kubbis", 413, errorBody("file_limit_exceeded")],
    ["POST", "/api/v1/kubbis", 429, errorBody("quota_exceeded")],
    ["GET", "/api/v1/kubbis", 401, errorBody("unauthorized")],
    ["DELETE", "/api/v1/kubbis/{id}", 409, errorBody("conflict")],
    ["POST", "/r/{token}/claim", 410, errorBody("burned")],
    ["POST", "/r/{token}/claim", 500, errorBody("decrypt_failed")],
    ["GET", "/readyz", 503, errorBody("service_unavailable")],
  ])("%s %s %i", (method, path, status, body) => {
    expect(validator.validateResponse(method, path, status, body)).toEqual({ ok: true, errors: "" });
  });

  it("takes the method in any case", () => {
    expect(validator.validateResponse("delete", "/api/v1/kubbis/{id}", 200, deleted).ok).toBe(true);
  });
});

describe("validateResponse rejects drift", () => {
  const { expires_at: _dropped, ...withoutExpiresAt } = createdSingle;

  it.each([
    ["a missing required field", withoutExpiresAt, "must have required property 'expires_at'"],
    ["a wrong type", { ...createdSingle, total_size_bytes: "19" }, "/total_size_bytes must be integer"],
    ["an extra property", { ...createdSingle, token_hash: "ab12" }, '"additionalProperty":"token_hash"'],
    [
      "a timestamp without milliseconds",
      { ...createdSingle, created_at: "2026-03-28T12:00:00Z" },
      "/created_at must match pattern",
    ],
    ["a short claim token", { ...createdSingle, claim_token: "abc123xyz" }, "/claim_token must match pattern"],
    ["an unknown status", { ...createdSingle, status: "gone" }, "/status must be equal to one of the allowed values"],
    ["metadata that is an array", { ...createdSingle, metadata: ["a"] }, "/metadata must be object,null"],
  ])("create 201 with %s", (_case, body, expected) => {
    const result = validator.validateResponse("POST", "/api/v1/kubbis", 201, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(expected);
  });

  it.each([
    ["a single kubbi with a file list", { ...detailSingle, files: manifest }, "/files must be null"],
    ["a package with a content type", { ...detailPackage, content_type: "text/plain" }, "/content_type must be null"],
    ["an unknown status", { ...detailSingle, status: "gone" }, "/status must be equal to one of the allowed values"],
    ["a file hash in its manifest", { ...detailPackage, files: createdFiles }, '"additionalProperty":"sha256"'],
    [
      "no sealed_with_unknown_key flag",
      { ...detailSingle, sealed_with_unknown_key: undefined },
      "must have required property 'sealed_with_unknown_key'",
    ],
    ["a null retrieval count", { ...detailSingle, retrieval_count: null }, "/retrieval_count must be integer"],
    ["no last claim", { ...detailSingle, last_claim: undefined }, "must have required property 'last_claim'"],
  ])("kubbi detail with %s", (_case, body, expected) => {
    const result = validator.validateResponse("GET", "/api/v1/kubbis/{id}", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(expected);
  });

  it.each([
    ["a slash in its name", { name: "etc/passwd" }, "/files/0/name must match pattern"],
    ["a backslash in its name", { name: "..\\evil" }, "/files/0/name must match pattern"],
    ["a control character in its name", { name: "a\u0007b" }, "/files/0/name must match pattern"],
    ["a right-to-left override in its name", { name: "invoice\u202efdp.exe" }, "/files/0/name must match pattern"],
    ["a zero-width space in its name", { name: "a\u200bb.txt" }, "/files/0/name must match pattern"],
    ["the name ..", { name: ".." }, "/files/0/name must NOT be valid"],
    ["a content hash", { sha256: "a".repeat(64) }, '"additionalProperty":"sha256"'],
    [
      "an escape sequence in its content type",
      { content_type: 'text/plain; x="\u001b]52;c;aGk=\u0007"' },
      "/files/0/content_type must match pattern",
    ],
    [
      "a content type over 255 characters",
      { content_type: `text/plain; a="${"x".repeat(250)}"` },
      "/files/0/content_type must NOT have more than 255 characters",
    ],
    ["an unknown role", { role: "secret" }, "/files/0/role must be equal to one of the allowed values"],
  ])("an inspected package whose manifest entry has %s", (_case, override, expected) => {
    const body = { ...inspectPackage, files: [{ ...configEntry, ...override }] };
    const result = validator.validateResponse("GET", "/r/{token}/inspect", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(expected);
  });

  it.each([
    ["an unknown type", { type: "kubbi.inspected" }, "/events/0/type must be equal to one of the allowed values"],
    ["metadata", { metadata: { source: "billing" } }, '"additionalProperty":"metadata"'],
    ["a malformed id", { id: "abc" }, "/events/0/id must match pattern"],
  ])("an event with %s", (_case, override, expected) => {
    const body = { ...eventList, events: [{ ...claimedEvent, ...override }] };
    const result = validator.validateResponse("GET", "/api/v1/events", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(expected);
  });

  it("a claimed file with an upper-case sha256", () => {
    const body = { ...claimPackage, files: [{ ...textClaimFile, sha256: "A".repeat(64) }, binaryClaimFile] };
    const result = validator.validateResponse("POST", "/r/{token}/claim", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("/files/0/sha256 must match pattern");
  });

  it("a text/plain claim whose content is not a string", () => {
    const body = { ...claimSingle, content_type: "text/plain", content: { a: 1 } };
    const result = validator.validateResponse("POST", "/r/{token}/claim", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("/content must be string");
  });

  it("a package claim file without its encoding field", () => {
    const { encoding: _dropped, ...fileWithoutEncoding } = textClaimFile;
    const body = { ...claimPackage, files: [fileWithoutEncoding, binaryClaimFile] };
    const result = validator.validateResponse("POST", "/r/{token}/claim", 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("/files/0 must have required property 'encoding'");
  });

  it("an error code that does not belong to the status", () => {
    const result = validator.validateResponse("GET", "/r/{token}", 410, errorBody("not_found"));
    expect(result.ok).toBe(false);
    expect(result.errors).toContain('"allowedValues":["burned","expired","deleted"]');
  });

  it("a validation_error with no messages, which the Python SDK would not raise as KubbiValidationError", () => {
    const result = validator.validateResponse("POST", "/api/v1/kubbis", 400, errorBody("validation_error"));
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("/messages must NOT have fewer than 1 items");
  });

  it("an error envelope without request_id", () => {
    const { request_id: _dropped, ...body } = errorBody("not_found");
    const result = validator.validateResponse("GET", "/api/v1/kubbis/{id}", 404, body);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("must have required property 'request_id'");
  });

  it("a status the operation does not document", () => {
    const result = validator.validateResponse("GET", "/api/v1/kubbis/{id}", 403, errorBody("not_found"));
    expect(result).toEqual({
      ok: false,
      errors: "openapi.yaml documents no application/json response for GET /api/v1/kubbis/{id} 403",
    });
  });

  it("a path the spec does not have", () => {
    expect(validator.validateResponse("GET", "/api/v1/kubbis/:id", 200, detailSingle).ok).toBe(false);
  });
});
