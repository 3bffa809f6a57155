/**
 * Answers API Gateway gives itself, before any handler runs — defined once, for the stack's Gateway
 * Responses (infra/city-stack.ts) and for the local dev server, which must answer the same. Each is
 * the project's problem+json (adapters/http/problem.ts): `type`, `title`, `status`, `detail`, a
 * catalogued `code` (core/shared/error-codes.ts) and `instance` (the request id), with the CORS
 * headers every answer carries and, on a 401, a challenge naming both credential schemes.
 *
 * Gateway Response templates are not processed by VTL (only `$context` variables are substituted),
 * so these answers cannot negotiate a language: they are in the default one (zh-CN), and say so in
 * Content-Language. The handlers' own problems follow Accept-Language.
 *
 * The authorizer throws `Unauthorized` for credentials it refuses (→ 401). When it cannot check
 * credentials at all — the table does not answer — it throws anything else, and API Gateway then
 * answers AUTHORIZER_FAILURE / AUTHORIZER_CONFIGURATION_ERROR (500 by default). That is an outage,
 * not bad credentials: the client should retry, so it becomes a 503 problem with Retry-After.
 */
import { DEFAULT_LANGUAGE, type ErrorCode, messageFor } from '#core/shared/error-codes.ts';
import { CORS_RESPONSE_HEADERS } from './cors.ts';

/** How long a client should wait before retrying after an outage answer. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The challenge on API Gateway's own 401 (a credential missing or refused by the authorizer): a
 * 401 names its schemes (RFC 9110 §11.6.1) — the portal's API key in x-api-key, and a bearer token
 * (a department's, or an applicant's beside the portal key). One Gateway Response serves every
 * route, so both are named. The handlers answer applicant-token refusals with a precise one
 * (adapters/http/callers.ts).
 */
export const UNAUTHORIZED_CHALLENGE =
  'Bearer realm="yijianshi", ApiKey realm="yijianshi", header="x-api-key"';

/** The problem type URI of a code (as adapters/http/problem.ts `problemType`). */
const typeOf = (code: string) => `https://yijianshi.dev/problems/${code}`;

/** Titles of the statuses API Gateway answers itself, in the default language (problem.ts TITLES). */
const TITLE: Readonly<Record<number, string>> = {
  400: '请求格式有误',
  401: '缺少凭据或凭据无效',
  403: '无权进行此操作',
  404: '未找到',
  405: '不支持此方法',
  413: '请求体过大',
  429: '请求过多，请稍后重试',
  500: '内部错误',
  503: '依赖的服务暂不可用，请稍后重试',
};

export interface GatewayProblem {
  readonly status: number;
  /** Header names lower-case (the stack writes them in canonical case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body without `instance`, which is per request (API Gateway: $context.requestId). */
  readonly problem: {
    readonly type: string;
    readonly title: string;
    readonly status: number;
    readonly code: ErrorCode;
    readonly detail: string;
  };
}

/** One of the edge's own answers: status, headers and problem body (instance added per request). */
export function gatewayProblem(status: number, code: ErrorCode, detail?: string): GatewayProblem {
  return {
    status,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'content-language': DEFAULT_LANGUAGE,
      ...CORS_RESPONSE_HEADERS,
      ...(status === 401 ? { 'www-authenticate': UNAUTHORIZED_CHALLENGE } : {}),
      ...(status === 503 || status === 429 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}),
    },
    problem: {
      type: typeOf(code),
      title: TITLE[status] ?? TITLE[status >= 500 ? 500 : 400]!,
      status,
      code,
      detail: detail ?? messageFor(code, DEFAULT_LANGUAGE),
    },
  };
}

/** The body of a gateway problem for one request. */
export function gatewayProblemBody(p: GatewayProblem, instance: string): string {
  return JSON.stringify({ ...p.problem, instance });
}

export const AUTHORIZER_UNAVAILABLE = gatewayProblem(
  503,
  'unavailable',
  '暂时无法核验凭据（依赖的服务不可用），请稍后重试。',
);

/**
 * API Gateway's own refusals, by response type, as the stack maps them (and the dev server
 * answers the ones it can meet: 401, 404, 405, 413, 400).
 */
export const GATEWAY_PROBLEMS = {
  // The authorizer refused the credentials, or an identity source is missing.
  UNAUTHORIZED: gatewayProblem(
    401,
    'unauthorized',
    '缺少凭据或凭据无效：门户请发送有效的 x-api-key，部门请发送 Authorization: Bearer <令牌>，代申请人办理时两者都要。',
  ),
  // An explicit deny; or a portal's key that its usage plan does not know.
  ACCESS_DENIED: gatewayProblem(403, 'forbidden'),
  INVALID_API_KEY: gatewayProblem(403, 'forbidden', '此 API key 不属于任何用量计划。'),
  // What API Gateway answers for a path or method it does not know.
  MISSING_AUTHENTICATION_TOKEN: gatewayProblem(404, 'not_found', '没有这个路径或方法。'),
  BAD_REQUEST_PARAMETERS: gatewayProblem(400, 'bad_request', '缺少必需的路径参数。'),
  REQUEST_TOO_LARGE: gatewayProblem(413, 'payload_too_large', '请求体不能超过 10 MB。'),
  THROTTLED: gatewayProblem(429, 'too_many_requests'),
  QUOTA_EXCEEDED: gatewayProblem(429, 'too_many_requests', '已用完该门户今日的请求配额。'),
} as const satisfies Record<string, GatewayProblem>;
