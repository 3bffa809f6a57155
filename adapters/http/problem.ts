/**
 * The one edge mapper from errors to RFC 9457 problem+json. Domain errors keep their message and
 * problems; anything else is a 500 (or 503 for a dependency outage) that never leaks internals.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  DEFAULT_LANGUAGE,
  fieldOf,
  type Issue,
  type Language,
  messageFor,
  problemsFromIssues,
} from '#core/shared/error-codes.ts';
import {
  BadRequestError,
  ConflictError,
  type DomainError,
  ForbiddenError,
  NotFoundError,
  type Problem,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '#core/shared/errors.ts';
import { ApplicantTokenChallenge, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.ts';
import { RETRY_AFTER_SECONDS, UNAUTHORIZED_CHALLENGE } from './gateway-responses.ts';

/** Each kind of error, its status and the title of its problems (by language). */
const STATUS: [new (...a: never[]) => DomainError, number][] = [
  [ValidationError, 422],
  [UnprocessableError, 422],
  [BadRequestError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [TooManyRequestsError, 429],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UnavailableError, 503],
];

/** The `title` of a problem by its status, in each language (one title per status: RFC 9457 §3.1.3). */
export const TITLES: Readonly<Record<number, Readonly<Record<Language, string>>>> = {
  400: { 'zh-CN': '请求格式有误', en: 'The request is malformed' },
  401: { 'zh-CN': '缺少凭据或凭据无效', en: 'Credentials are missing or invalid' },
  403: { 'zh-CN': '无权进行此操作', en: 'Not allowed for this caller' },
  404: { 'zh-CN': '未找到', en: 'Not found' },
  405: { 'zh-CN': '不支持此方法', en: 'Method not allowed' },
  409: { 'zh-CN': '与当前状态冲突', en: 'Conflict with the current state' },
  413: { 'zh-CN': '请求体过大', en: 'The request body is too large' },
  415: { 'zh-CN': '不支持的媒体类型', en: 'Unsupported media type' },
  422: { 'zh-CN': '请求违反一项或多项规则', en: 'The request breaks one or more rules' },
  429: { 'zh-CN': '请求过多，请稍后重试', en: 'Too many requests; retry later' },
  500: { 'zh-CN': '内部错误', en: 'Internal error' },
  503: { 'zh-CN': '依赖的服务暂不可用，请稍后重试', en: 'A dependency is unavailable; retry later' },
};

export const titleFor = (status: number, language: Language): string =>
  (TITLES[status] ?? TITLES[status >= 500 ? 500 : 400]!)[language];

/** The problem type URI of a code. */
export const problemType = (code: string): string => `https://yijianshi.dev/problems/${code}`;

/** The headers every problem answer carries: its language, and that it depends on Accept-Language. */
export function languageHeaders(language: Language): Record<string, string> {
  return { 'content-language': language, vary: 'Accept-Language' };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  errors?: readonly Problem[];
  /** How many problems beyond the first MAX_LISTED_PROBLEMS were left out of `errors`. */
  omittedErrors?: number;
}

/**
 * At most this many entries in a problem's `errors`; the rest are only counted (`omittedErrors`).
 * Found by testing: 60,000 unknown service names in a 240 KB body made a 19 MB answer (over
 * Lambda's 6 MB response limit: a 5xx); a hundred problems are more than anyone fixes at once.
 */
export const MAX_LISTED_PROBLEMS = 100;

/** `errors` (capped) and `omittedErrors` of a problem body; nothing when there are no problems. */
export function listedProblems(
  problems: readonly Problem[] | undefined,
  language: Language = DEFAULT_LANGUAGE,
): Pick<ProblemBody, 'errors' | 'omittedErrors'> {
  if (!problems?.length) return {};
  const errors = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => localised(p, language));
  if (problems.length <= MAX_LISTED_PROBLEMS) return { errors };
  return { errors, omittedErrors: problems.length - MAX_LISTED_PROBLEMS };
}

/**
 * A problem as answered: path, code and the message in `language` — as written (English) for en,
 * else the code's template (core/shared/error-codes.ts) filled from its params. Params never leave.
 */
function localised(p: Problem, language: Language): Problem {
  const message =
    language === 'en' ? p.message : messageFor(p.code, language, { field: fieldOf(p.path), ...p.params });
  return { path: p.path, code: p.code, message };
}

export function problemResponse(
  status: number,
  body: Omit<ProblemBody, 'status'>,
  language: Language = DEFAULT_LANGUAGE,
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...languageHeaders(language),
    },
    body: JSON.stringify({ ...body, status }),
  };
}

/** Maps any thrown value to a problem response; `expose` is false for everything unexpected. */
export function toProblem(
  err: unknown,
  requestId: string,
  language: Language = DEFAULT_LANGUAGE,
): { response: APIGatewayProxyResult; expected: boolean } {
  for (const [Type, status] of STATUS) {
    if (err instanceof Type) {
      const problems = 'problems' in err ? (err.problems as readonly Problem[]) : undefined;
      const response = problemResponse(
        status,
        {
          type: problemType(err.code),
          title: titleFor(status, language),
          // The thrower's own words are English; other languages get the code's template.
          detail:
            language === 'en'
              ? err.message
              : messageFor(err.code, language, { count: problems?.length, instance: requestId }),
          code: err.code,
          instance: requestId,
          ...listedProblems(problems, language),
        },
        language,
      );
      // An outage: the client should retry, and is told when.
      if (status === 503)
        response.headers = { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) };
      // Too many requests of one kind (e.g. prefill lookups): the client is told when to try again.
      if ('retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number')
        response.headers = { ...response.headers, 'retry-after': String(err.retryAfterSeconds) };
      // Every 401 names its scheme (RFC 9110 §11.6.1): the applicant token's precise challenge, or
      // the one API Gateway's own 401 gives (a credential of the wrong kind for the route).
      if (status === 401)
        response.headers = {
          ...response.headers,
          'www-authenticate': err instanceof ApplicantTokenChallenge ? err.challenge : UNAUTHORIZED_CHALLENGE,
        };
      return { expected: true, response };
    }
  }
  return {
    expected: false,
    response: problemResponse(
      500,
      {
        type: problemType('internal'),
        title: titleFor(500, language),
        detail: messageFor('internal', language, { instance: requestId }),
        code: 'internal',
        instance: requestId,
      },
      language,
    ),
  };
}

/**
 * zod issues → our problems (core/shared/error-codes.ts `problemsFromIssues`: catalogued codes,
 * `required` for anything not sent), with JSON Pointer paths under `prefix`. `input` is the value
 * that was parsed: whether a value is missing is read from it.
 */
export function problemsFromZod(issues: readonly Issue[], input: unknown, prefix = ''): Problem[] {
  return problemsFromIssues(issues, input, prefix);
}
