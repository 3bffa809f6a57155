/**
 * Errors of the HTTP edge itself — what a request's bytes can be wrong in before any use case sees
 * it. The core never raises these (it knows no bodies or media types); adapters/http/problem.ts
 * maps them like the domain's.
 */
import { DomainError, UnauthorizedError } from '#core/shared/errors.ts';

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/**
 * 401 for an applicant-scoped route without a valid applicant token: carries the
 * `WWW-Authenticate` challenge (RFC 6750; RFC 9470 step-up for too low an assurance level).
 */
export class ApplicantTokenChallenge extends UnauthorizedError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
  }
}
