/**
 * The API's CORS, in one place: the headers every answer carries (handlers; API Gateway's own
 * answers), and the preflight the stack's API Gateway and the local dev server both answer with.
 * Portals call from browsers; API Gateway does not add CORS headers to proxy responses.
 */
/** Headers browsers may send cross-origin. */
export const CORS_ALLOW_HEADERS = ['content-type', 'x-api-key', 'authorization', 'idempotency-key'] as const;
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'] as const;

/** On every answer of a handler. */
export const CORS_RESPONSE_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'location, idempotent-replayed, retry-after, www-authenticate',
} as const;
