/**
 * The MCP tools' access to kubbi inside the API: the same services REST routes call, in this process,
 * for one authenticated producer. No HTTP round trip to the public URL, so no outbound access is needed
 * and a tool call counts once against the key's limits (the /mcp request itself).
 */
import type { KubbiAccess } from "@kubbi.ai/mcp";
import {
  isKubbiError,
  type ClaimResult,
  type DeleteResult,
  type InspectResult,
  type KubbiDetail,
  type KubbiList,
  type SendFilesParams,
  type SendFilesResult,
  type SendParams,
  type SendResult,
} from "@kubbi.ai/sdk";
import {
  apiErrorFor,
  resolveClaimTarget,
  toClaimResult,
  toDeleteResult,
  toInspectResult,
  toKubbiDetail,
  toKubbiList,
  toSendFilesResult,
  toSendResult,
  toWireCreatePackage,
  toWireCreateSingle,
  type WireClaim,
  type WireCreatedPackage,
  type WireCreatedSingle,
  type WireDetail,
  type WireInspect,
  type WireList,
} from "@kubbi.ai/sdk/wire";
import type { Logger } from "pino";
import { ApiError, notFound, validationError } from "../errors.js";
import { claimKubbi, inspectKubbi } from "../services/claims.js";
import type { Producer, ServiceContext } from "../services/context.js";
import type { EventClient } from "../store/store.js";
import { createKubbi, deleteKubbi, getKubbi, listKubbis } from "../services/kubbis.js";
import { issuesToMessages, parseCreateKubbi, type CreateKubbiSchemas } from "../validation/create-kubbi.js";
import { listQuerySchema } from "../validation/list-query.js";

export interface InProcessAccessOptions {
  context: ServiceContext;
  schemas: CreateKubbiSchemas;
  producer: Producer;
  /** The rules consumer routes (/r/*) apply to this request, run before every inspect and claim. */
  consumerRules(): Promise<void>;
  requestId: string;
  logger: Logger;
  /** The MCP caller, named in the claim's events like any consumer. */
  client: EventClient;
}

export class InProcessAccess implements KubbiAccess {
  constructor(private readonly options: InProcessAccessOptions) {}

  send(params: SendParams): Promise<SendResult> {
    return this.#run(async () => toSendResult((await this.#create(toWireCreateSingle(params))) as WireCreatedSingle));
  }

  sendFiles(params: SendFilesParams): Promise<SendFilesResult> {
    return this.#run(async () =>
      toSendFilesResult((await this.#create(await toWireCreatePackage(params))) as WireCreatedPackage),
    );
  }

  get(id: string): Promise<KubbiDetail> {
    const { context, producer } = this.options;
    return this.#run(async () => toKubbiDetail((await getKubbi(context, producer, id)) as WireDetail));
  }

  list(params: { page: number; limit: number }): Promise<KubbiList> {
    const { context, producer } = this.options;
    return this.#run(async () => {
      // The REST route's rules for page and limit.
      const query = listQuerySchema.safeParse(params);
      if (!query.success) throw validationError(issuesToMessages(query.error));
      return toKubbiList((await listKubbis(context, producer, query.data.page, query.data.limit)) as WireList);
    });
  }

  delete(id: string): Promise<DeleteResult> {
    const { context, producer } = this.options;
    return this.#run(async () => toDeleteResult(await deleteKubbi(context, producer, id)));
  }

  inspect(claimUrl: string): Promise<InspectResult> {
    return this.#run(async () => {
      await this.options.consumerRules();
      return toInspectResult((await inspectKubbi(this.options.context, this.#tokenOf(claimUrl))) as WireInspect);
    });
  }

  claim(claimUrl: string): Promise<ClaimResult> {
    return this.#run(async () => {
      await this.options.consumerRules();
      // The service serialises the body inside its rollback guard; the tools want the value.
      return toClaimResult(
        JSON.parse(
          (await claimKubbi(this.options.context, this.#tokenOf(claimUrl), this.options.client)).json,
        ) as WireClaim,
      );
    });
  }

  #create(body: unknown) {
    const { context, schemas, producer } = this.options;
    const parsed = parseCreateKubbi(schemas, body);
    if ("problems" in parsed) throw validationError(parsed.problems);
    return createKubbi(context, producer, parsed);
  }

  /** The token of a claim URL on this API's public origin; any other origin is refused, as the SDK does. */
  #tokenOf(claimUrl: string): string {
    const publicUrl = this.options.context.publicUrl();
    const target = resolveClaimTarget(claimUrl, { baseUrl: publicUrl });
    // The public URL is an origin (config refuses a path), so a claim URL's path must start at /r/.
    if (target.base !== new URL(publicUrl).origin) throw notFound();
    return target.token;
  }

  /** The API's errors as the SDK's, so the tools report them with their codes; anything else is a logged 500 without details. */
  async #run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const { requestId, logger } = this.options;
      if (error instanceof ApiError) {
        throw apiErrorFor({
          status: error.status,
          code: error.code,
          message: error.message,
          messages: error.messages,
          requestId,
        });
      }
      if (isKubbiError(error)) throw error;
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      logger.error({ request_id: requestId, err: { name, message, stack } }, "unhandled error in an MCP tool");
      throw apiErrorFor({
        status: 500,
        code: "internal_error",
        message: "Something went wrong on our side. The request id identifies it in the server's logs.",
        requestId,
      });
    }
  }
}
