/**
 * Answers API Gateway gives itself, before any handler runs — defined once, for the stack's Gateway
 * Responses (infra/city-stack.ts) and for the local dev server, which must answer the same.
 *
 * The authorizer throws `Unauthorized` for credentials it refuses (→ 401). When it cannot check
 * credentials at all — the table does not answer — it throws anything else, and API Gateway then
 * answers AUTHORIZER_FAILURE / AUTHORIZER_CONFIGURATION_ERROR (500 by default). That is an outage,
 * not bad credentials: the client should retry, so it becomes a 503 problem with Retry-After.
 */

/** How long a client should wait before retrying after an outage answer. */
export const RETRY_AFTER_SECONDS = 5;

export const AUTHORIZER_UNAVAILABLE = {
  status: 503,
  headers: {
    'content-type': 'application/problem+json',
    'retry-after': String(RETRY_AFTER_SECONDS),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
  },
  /** `instance` is added per request (API Gateway: $context.requestId). */
  problem: {
    type: 'https://yijianshi.dev/problems/unavailable',
    title: 'A dependency is unavailable; retry later',
    status: 503,
    code: 'unavailable',
    detail: 'Credentials cannot be checked right now (a dependency is unavailable); please retry.',
  },
} as const;

/**
 * The challenge on API Gateway's own 401 (a credential missing or refused by the authorizer): a
 * 401 names its scheme (RFC 9110). The API's handlers answer applicant-token refusals with a
 * precise one (adapters/http/callers.ts).
 */
export const UNAUTHORIZED_CHALLENGE = 'Bearer realm="yijianshi"';
