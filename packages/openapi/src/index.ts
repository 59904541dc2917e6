// Type-only entry point: the wire types of openapi.yaml under handy names. Loads nothing at run time;
// the response validator lives at "@kubbi/openapi/validator".
import type { components } from "./generated/schema.js";

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
export type Pagination = Schema<"Pagination">;
export type DeleteResponse = Schema<"DeleteResponse">;
export type KubbiType = Schema<"KubbiType">;
export type KubbiStatus = Schema<"KubbiStatus">;
export type Metadata = Schema<"Metadata">;

export type InspectResponse = Schema<"InspectResponse">;
export type InspectSingleResponse = Schema<"InspectSingleResponse">;
export type InspectPackageResponse = Schema<"InspectPackageResponse">;
export type ClaimInstructions = Schema<"ClaimInstructions">;
export type ClaimResponse = Schema<"ClaimResponse">;
export type ClaimSingleResponse = Schema<"ClaimSingleResponse">;
export type ClaimPackageResponse = Schema<"ClaimPackageResponse">;
export type ClaimFile = Schema<"ClaimFile">;

export type ErrorBody = Schema<"Error">;
export type ErrorCode = Schema<"ErrorCode">;
export type Health = Schema<"Health">;
export type Readiness = Schema<"Readiness">;
