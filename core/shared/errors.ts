/**
 * Domain errors: a small hierarchy with a stable `code` each. The core never speaks HTTP; the edge
 * mapper (adapters/http/problem.ts) turns these into problem+json. State machine tasks throw them
 * too, and ASL Retry/Catch match on `name`.
 */

/**
 * One problem with the client's input: where it is, a stable code (one of core/shared/error-codes.ts
 * ERROR_CODES), and a human message in English. The edge answers in the caller's language: the
 * message as written for `en`, the code's template filled from `params` for any other.
 */
export interface Problem {
  /** JSON Pointer into the request, e.g. "/form/enterpriseName" or "/services/2". */
  readonly path: string;
  readonly code: string;
  readonly message: string;
  /** Values for the code's message template (`field` defaults to the path's last segment); never sent. */
  readonly params?: Readonly<Record<string, string | number | undefined>>;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is understood but breaks rules: every problem is listed (一次反馈). */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  constructor(
    readonly problems: readonly Problem[],
    message = `${problems.length} problem${problems.length === 1 ? '' : 's'} in the request`,
  ) {
    super(message);
  }
}

/** The request itself is malformed (not JSON, wrong content type, missing header). */
export class BadRequestError extends DomainError {
  readonly code = 'bad_request';
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** Understood but cannot be processed as sent (e.g. an Idempotency-Key reused with another body). */
export class UnprocessableError extends DomainError {
  readonly code: string = 'unprocessable';
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code: string = 'forbidden';
}

/** Too many requests of one kind by one caller (e.g. prefill lookups of an applicant): 429 with Retry-After. */
export class TooManyRequestsError extends DomainError {
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The resource is in a state that does not allow this (e.g. a task already decided). */
export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
}

/**
 * A request with the same Idempotency-Key is still being processed (IETF idempotency-key draft:
 * 409): retry after `retryAfterSeconds`, and get its answer.
 */
export class IdempotencyKeyInUseError extends ConflictError {
  override readonly code: string = 'idempotency_key_in_use';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Same Idempotency-Key, another request (IETF idempotency-key draft: 422). */
export class IdempotencyKeyReusedError extends UnprocessableError {
  override readonly code = 'idempotency_key_reused';
}

/** A dependency (database, storage, workflow) is unavailable; safe to retry. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
  /** Which dependencies did not answer, when that is known (e.g. a health check). */
  readonly problems: readonly Problem[];
  constructor(message: string, options?: { cause?: unknown; problems?: readonly Problem[] }) {
    super(message, options);
    this.problems = options?.problems ?? [];
  }
}

/**
 * Named so ASL can Catch it: the case a flow step or license issuing runs for does not exist.
 * The one definition (core/flow/steps.ts and core/licenses/issue.ts are to import it).
 */
export class CaseNotFoundError extends DomainError {
  readonly code = 'case_not_found';
}
