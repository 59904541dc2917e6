// The contract at run time: the constants generated from openapi.yaml (src/generated/contract.ts), and
// the wire types under handy names. The API imports it at run time (built to dist/); the SDK bundles it,
// so the published SDK keeps zero runtime dependencies. The response validator is "@kubbi/openapi/validator".
import type { components } from "./generated/schema.js";

export * from "./generated/contract.js";
export type { components, operations, paths } from "./generated/schema.js";

type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

export type CreateKubbiRequest = Schema<"CreateKubbiRequest">;
export type CreateSingleRequest = Schema<"CreateSingleRequest">;
export type CreatePackageRequest = Schema<"CreatePackageRequest">;
export type FileInput = Schema<"FileInput">;
export type FileRole = Schema<"FileRole">;
export type ManifestEntry = Schema<"ManifestEntry">;
export type CreatedFile = Schema<"CreatedFile">;

export type CreateKubbiResponse = Schema<"CreateKubbiResponse">;
export type CreateSingleResponse = Schema<"CreateSingleResponse">;
export type CreatePackageResponse = Schema<"CreatePackageResponse">;
export type KubbiDetail = Schema<"KubbiDetail">;
export type KubbiList = Schema<"KubbiList">;
export type DeleteResponse = Schema<"DeleteResponse">;
export type KubbiStatus = Schema<"KubbiStatus">;

export type InspectResponse = Schema<"InspectResponse">;
export type InspectSingleResponse = Schema<"InspectSingleResponse">;
export type InspectPackageResponse = Schema<"InspectPackageResponse">;
export type ClaimResponse = Schema<"ClaimResponse">;
export type ClaimSingleResponse = Schema<"ClaimSingleResponse">;
export type ClaimPackageResponse = Schema<"ClaimPackageResponse">;
export type ClaimFile = Schema<"ClaimFile">;

export type Event = Schema<"Event">;
export type EventType = Schema<"EventType">;
export type EventList = Schema<"EventList">;
export type LastClaim = Schema<"LastClaim">;

export type ErrorBody = Schema<"Error">;
export type ErrorCode = Schema<"ErrorCode">;
