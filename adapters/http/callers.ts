/**
 * Who is calling. Credentials are verified once, by the authorizer (functions/authorize-caller),
 * which API Gateway runs before the handler in AWS and the local dev server runs the same way;
 * it puts the verified identity into requestContext.authorizer. Handlers only read it here, typed
 * by the kind their route requires.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UnauthorizedError } from '#core/shared/errors.ts';
import type { Caller, CallerKind } from './route.ts';

export function resolveCaller<K extends CallerKind>(required: K, event: APIGatewayProxyEvent): Caller<K> {
  if (required === 'public') return { kind: 'public' } as Caller<K>;
  const ctx = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  if (required === 'portal' && ctx.callerKind === 'portal' && typeof ctx.portalId === 'string')
    return { kind: 'portal', portalId: ctx.portalId } as Caller<K>;
  if (required === 'department' && ctx.callerKind === 'department' && typeof ctx.departmentId === 'string')
    return { kind: 'department', departmentId: ctx.departmentId } as Caller<K>;
  throw new UnauthorizedError(
    required === 'portal'
      ? 'This route is for portals: send a valid x-api-key header.'
      : 'This route is for departments: send Authorization: Bearer <token>.',
  );
}
