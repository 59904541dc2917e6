/**
 * The API's wire shapes, straight from the OpenAPI contract (packages/openapi). Type-only: nothing of
 * @kubbi/openapi exists at run time, and the build inlines these types into the published .d.ts.
 */
import type { components } from "@kubbi/openapi/schema";

type Schemas = components["schemas"];

export type WireKubbiStatus = Schemas["KubbiStatus"];
export type WireFileRole = Schemas["FileRole"];
export type WireManifestEntry = Schemas["ManifestEntry"];
export type WireCreatedFile = Schemas["CreatedFile"];
export type WireCreateFile = Schemas["FileInput"];
export type WireCreateSingle = Schemas["CreateSingleRequest"];
export type WireCreatePackage = Schemas["CreatePackageRequest"];
export type WireCreated = Schemas["CreateKubbiResponse"];
export type WireCreatedSingle = Schemas["CreateSingleResponse"];
export type WireCreatedPackage = Schemas["CreatePackageResponse"];
export type WireDetail = Schemas["KubbiDetail"];
export type WireList = Schemas["KubbiList"];
export type WireDeleted = Schemas["DeleteResponse"];
export type WireInspect = Schemas["InspectResponse"];
export type WireClaim = Schemas["ClaimResponse"];
export type WireClaimedFile = Schemas["ClaimFile"];
export type WireEvent = Schemas["Event"];
export type WireEventType = Schemas["EventType"];
export type WireEventList = Schemas["EventList"];
