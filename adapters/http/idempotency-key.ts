/**
 * The Idempotency-Key a portal chooses so that retries never create two cases: 1–255 visible ASCII
 * characters. A module of its own: the HTTP stack of every function checks it, and nothing more
 * of the request parameters need come with it.
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
