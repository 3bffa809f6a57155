/**
 * Who is calling. Credentials are verified once, by the authorizer (functions/authorize-caller),
 * which API Gateway runs before the handler in AWS and the local dev server runs the same way;
 * it puts the verified identity into requestContext.authorizer. Handlers only read it here, typed
 * by the kind their route requires.
 *
 * The authorizer's context (string values only, as API Gateway passes them):
 *   portal      { callerKind: 'portal', portalId }
 *   applicant   { callerKind: 'applicant', portalId, applicant: <ApplicantIdentity as JSON> }
 *   department  { callerKind: 'department', departmentId }
 *   hotline     { callerKind: 'hotline', operatorId }   (a 12345 operator's token)
 * A portal key with a refused applicant token is a portal (it may use portal routes) with
 * `applicantRefused` (the reason) and `applicantChallenge` (the WWW-Authenticate value): an
 * applicant route answers it 401 with that challenge.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApplicantIdentity } from '#core/identity/applicant.ts';
import { UnauthorizedError } from '#core/shared/errors.ts';
import { ApplicantTokenChallenge } from './errors.ts';
import type { Caller, CallerKind } from './route.ts';

/** The challenge of an applicant route called without a token. */
export const APPLICANT_CHALLENGE = 'Bearer realm="applicant"';

function applicantOf(ctx: Record<string, unknown>): ApplicantIdentity | undefined {
  if (typeof ctx.applicant !== 'string') return undefined;
  try {
    const a = JSON.parse(ctx.applicant) as ApplicantIdentity;
    return a && (a.kind === 'person' || a.kind === 'organisation') ? a : undefined;
  } catch {
    return undefined;
  }
}

export function resolveCaller<K extends CallerKind>(required: K, event: APIGatewayProxyEvent): Caller<K> {
  if (required === 'public') return { kind: 'public' } as Caller<K>;
  const ctx = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const portalId = typeof ctx.portalId === 'string' ? ctx.portalId : undefined;
  const isPortal = (ctx.callerKind === 'portal' || ctx.callerKind === 'applicant') && portalId;
  // A portal calling with an applicant's token is still that portal on the portal's own routes.
  if (required === 'portal' && isPortal) return { kind: 'portal', portalId } as Caller<K>;
  if (required === 'department' && ctx.callerKind === 'department' && typeof ctx.departmentId === 'string')
    return { kind: 'department', departmentId: ctx.departmentId } as Caller<K>;
  if (required === 'hotline' && ctx.callerKind === 'hotline' && typeof ctx.operatorId === 'string')
    return { kind: 'hotline', operatorId: ctx.operatorId } as Caller<K>;
  if (required === 'applicant') {
    const applicant = ctx.callerKind === 'applicant' ? applicantOf(ctx) : undefined;
    if (applicant && portalId) return { kind: 'applicant', portalId, applicant } as Caller<K>;
    if (isPortal)
      throw new ApplicantTokenChallenge(
        typeof ctx.applicantRefused === 'string'
          ? `The applicant's token is refused (${ctx.applicantRefused}): sign the applicant in again.`
          : "This route acts for an applicant: send the applicant's token as Authorization: Bearer <token> beside x-api-key.",
        typeof ctx.applicantChallenge === 'string' ? ctx.applicantChallenge : APPLICANT_CHALLENGE,
      );
    throw new UnauthorizedError(
      "This route is for an applicant through a portal: send x-api-key and the applicant's token as Authorization: Bearer <token>.",
    );
  }
  throw new UnauthorizedError(
    required === 'portal'
      ? 'This route is for portals: send a valid x-api-key header.'
      : required === 'hotline'
        ? 'This route is for the 12345 hotline: send Authorization: Bearer <hotline token>.'
        : 'This route is for departments: send Authorization: Bearer <token>.',
  );
}
