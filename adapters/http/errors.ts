/**
 * Errors of the HTTP edge itself — what a request's bytes can be wrong in before any use case sees
 * it. The core never raises these (it knows no bodies or media types); adapters/http/problem.ts
 * maps them like the domain's.
 */
import { DomainError } from '#core/shared/errors.ts';

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}
