/**
 * The one edge mapper from errors to RFC 9457 problem+json. Domain errors keep their message and
 * problems; anything else is a 500 (or 503 for a dependency outage) that never leaks internals.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
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
import { RETRY_AFTER_SECONDS } from './gateway-responses.ts';

const STATUS: [new (...a: never[]) => DomainError, number, string][] = [
  [ValidationError, 422, 'The request breaks one or more rules'],
  [UnprocessableError, 422, 'The request cannot be processed as sent'],
  [BadRequestError, 400, 'The request is malformed'],
  [UnauthorizedError, 401, 'Credentials are missing or invalid'],
  [ForbiddenError, 403, 'Not allowed for this caller'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict with the current state'],
  [TooManyRequestsError, 429, 'Too many requests; retry later'],
  [PayloadTooLargeError, 413, 'The request body is too large'],
  [UnsupportedMediaTypeError, 415, 'Unsupported media type'],
  [UnavailableError, 503, 'A dependency is unavailable; retry later'],
];

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
): Pick<ProblemBody, 'errors' | 'omittedErrors'> {
  if (!problems?.length) return {};
  if (problems.length <= MAX_LISTED_PROBLEMS) return { errors: problems };
  return {
    errors: problems.slice(0, MAX_LISTED_PROBLEMS),
    omittedErrors: problems.length - MAX_LISTED_PROBLEMS,
  };
}

export function problemResponse(status: number, body: Omit<ProblemBody, 'status'>): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify({ ...body, status }),
  };
}

/** Maps any thrown value to a problem response; `expose` is false for everything unexpected. */
export function toProblem(
  err: unknown,
  requestId: string,
): { response: APIGatewayProxyResult; expected: boolean } {
  for (const [Type, status, title] of STATUS) {
    if (err instanceof Type) {
      const problems = 'problems' in err ? (err.problems as readonly Problem[]) : undefined;
      const response = problemResponse(status, {
        type: `https://yijianshi.dev/problems/${err.code}`,
        title,
        detail: err.message,
        code: err.code,
        instance: requestId,
        ...listedProblems(problems),
      });
      // An outage: the client should retry, and is told when.
      if (status === 503)
        response.headers = { ...response.headers, 'retry-after': String(RETRY_AFTER_SECONDS) };
      // Too many requests of one kind (e.g. prefill lookups): the client is told when to try again.
      if ('retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number')
        response.headers = { ...response.headers, 'retry-after': String(err.retryAfterSeconds) };
      if (err instanceof ApplicantTokenChallenge)
        response.headers = { ...response.headers, 'www-authenticate': err.challenge };
      return { expected: true, response };
    }
  }
  return {
    expected: false,
    response: problemResponse(500, {
      type: 'https://yijianshi.dev/problems/internal',
      title: 'Internal error',
      detail: `Something went wrong on our side; quote request ${requestId} when reporting it.`,
      code: 'internal',
      instance: requestId,
    }),
  };
}

/** zod issues → one Problem per issue, with a JSON Pointer path under `prefix`. */
export function problemsFromZod(
  issues: readonly { path: readonly PropertyKey[]; code: string; message: string }[],
  prefix = '',
): Problem[] {
  return issues.map((i) => ({
    path: `${prefix}/${i.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`.replace(
      /\/$/,
      '',
    ),
    code: i.code,
    message: i.message,
  }));
}
