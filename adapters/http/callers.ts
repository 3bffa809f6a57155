/**
 * Who is calling. Credentials are verified once, by the authorizer (functions/authorize-caller),
 * which API Gateway runs before the handler in AWS and the local dev server runs the same way;
 * it puts the verified identity into requestContext.authorizer. Handlers only read it here.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UnauthorizedError } from '#core/shared/errors.ts';
import type { CallerKind } from '#functions/routes.ts';

export type Caller =
  | { readonly kind: 'public' }
  | { readonly kind: 'portal'; readonly portalId: string }
  | { readonly kind: 'department'; readonly departmentId: string };

export async function resolveCaller(
  required: CallerKind,
  event: APIGatewayProxyEvent,
  _headers: Record<string, string>,
): Promise<Caller> {
  if (required === 'public') return { kind: 'public' };
  const ctx = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  if (required === 'portal' && ctx.callerKind === 'portal' && typeof ctx.portalId === 'string')
    return { kind: 'portal', portalId: ctx.portalId };
  if (required === 'department' && ctx.callerKind === 'department' && typeof ctx.departmentId === 'string')
    return { kind: 'department', departmentId: ctx.departmentId };
  throw new UnauthorizedError(
    required === 'portal'
      ? 'This route is for portals: send a valid x-api-key header.'
      : 'This route is for departments: send Authorization: Bearer <token>.',
  );
}
