/**
 * API Gateway REQUEST authorizer — and, in `npm start`, the dev server runs this same file.
 * x-api-key → a portal (key looked up by its SHA-256); Authorization: Bearer → a department
 * (HS256 token for this city, not revoked). The verified identity goes to the handlers as context.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { config } from '#adapters/config.ts';
import { isTokenRevoked, portalForApiKey } from '#adapters/dynamodb/credential-store.ts';
import { logger } from '#adapters/logger.ts';
import { verifyDepartmentToken } from '#core/credentials/tokens.ts';
import { UnavailableError } from '#core/shared/errors.ts';

function header(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name && v) return v;
  return undefined;
}

function allow(
  principalId: string,
  methodArn: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult {
  // Allow the whole API for this identity (the result is cached per credential); handlers check
  // the caller kind per route and ownership per resource.
  const apiArn = methodArn.split('/').slice(0, 2).join('/');
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/*` }],
    },
    context,
  };
}

export async function authorize(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  try {
    return await decide(event);
  } catch (err) {
    if (err instanceof UnavailableError) {
      // Not a refusal: the credentials could not be checked. Any error but "Unauthorized" makes
      // API Gateway answer AUTHORIZER_FAILURE, which the stack maps to 503 + Retry-After
      // (adapters/http/gateway-responses.ts); the dev server does the same.
      logger.error('credentials could not be checked', err);
    }
    throw err;
  }
}

async function decide(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const apiKey = header(event, 'x-api-key');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(event, 'authorization') ?? '')?.[1];
  if (bearer) {
    const { TOKEN_SECRET, CITY_ID } = config();
    const claims = TOKEN_SECRET ? verifyDepartmentToken(TOKEN_SECRET, bearer, CITY_ID) : null;
    if (claims && !(await isTokenRevoked(claims.jti)))
      return allow(`department:${claims.sub}`, event.methodArn, {
        callerKind: 'department',
        departmentId: claims.sub,
      });
  } else if (apiKey) {
    const portalId = await portalForApiKey(apiKey);
    // usageIdentifierKey: the REST API takes API keys from the authorizer (apiKeySourceType
    // AUTHORIZER), so the key verified here is the one API Gateway meters against the portal's
    // usage plan (`npm run credentials` creates the API Gateway key with the same value).
    if (portalId)
      return {
        ...allow(`portal:${portalId}`, event.methodArn, { callerKind: 'portal', portalId }),
        usageIdentifierKey: apiKey,
      };
  }
  logger.info('credentials refused', { scheme: bearer ? 'bearer' : apiKey ? 'api-key' : 'none' });
  // API Gateway turns this exact message into a 401.
  throw new Error('Unauthorized');
}

export const handler = authorize;
