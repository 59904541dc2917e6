/** A thin fetch wrapper for tests: every call returns status, headers and the parsed JSON body. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(url: string, init: RequestInit = {}): Promise<Reply<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text so a failing assertion shows it
  }
  return { status: response.status, headers: response.headers, body };
}

/** The producer's view of the API, authenticated with one key. */
export function producer(baseUrl: string, apiKey: string) {
  const auth = { authorization: `Bearer ${apiKey}` };
  const json = { ...auth, "content-type": "application/json" };
  return {
    create: (body: unknown, headers: Record<string, string> = {}) =>
      call(`${baseUrl}/api/v1/kubbis`, {
        method: "POST",
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
      }),
    createRaw: (body: string, headers: Record<string, string>) =>
      call(`${baseUrl}/api/v1/kubbis`, { method: "POST", headers: { ...auth, ...headers }, body }),
    get: (id: string) => call(`${baseUrl}/api/v1/kubbis/${encodeURIComponent(id)}`, { headers: auth }),
    list: (query = "") => call(`${baseUrl}/api/v1/kubbis${query}`, { headers: auth }),
    remove: (id: string) =>
      call(`${baseUrl}/api/v1/kubbis/${encodeURIComponent(id)}`, { method: "DELETE", headers: auth }),
  };
}

export type Producer = ReturnType<typeof producer>;

/** The consumer's view: only a claim URL, no key. */
export const consumer = {
  inspect: (claimUrl: string, headers: Record<string, string> = {}) => call(claimUrl, { headers }),
  claim: (claimUrl: string) => call(`${claimUrl}/claim`, { method: "POST" }),
};

/** Claim URLs are built on KUBBI_PUBLIC_URL; tests talk to the process they started. */
export function claimUrlOn(baseUrl: string, claimToken: string): string {
  return `${baseUrl}/r/${claimToken}`;
}

export function expectEnvelope(reply: Reply, status: number, code: string): void {
  if (reply.status !== status || reply.body?.error !== code) {
    throw new Error(`expected ${status} ${code}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  const { error, message, messages, request_id } = reply.body;
  if (
    typeof error !== "string" ||
    typeof message !== "string" ||
    !message ||
    !Array.isArray(messages) ||
    request_id !== reply.headers.get("x-request-id")
  ) {
    throw new Error(`not the error envelope: ${JSON.stringify(reply.body)}`);
  }
}
