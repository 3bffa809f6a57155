/**
 * API Gateway REQUEST authorizer — and, in `npm start`, the dev server runs this same file.
 *   x-api-key alone                      → a portal (key looked up by its SHA-256);
 *   x-api-key + Authorization: Bearer    → an applicant through that portal: the portal key, and the
 *                                          applicant's OpenID Connect access token verified with
 *                                          `jose` against the city's identity provider (IDP_*);
 *   Authorization: Bearer alone          → a department (HS256 token for this city, not revoked),
 *                                          or the 12345 hotline when the token is HOTLINE_ID's.
 * The verified identity goes to the handlers as context (adapters/http/callers.ts). A refused
 * applicant token with a valid portal key is no refusal here: the portal's own routes still serve
 * it, and applicant routes answer 401 with the token's WWW-Authenticate challenge.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { config } from '#adapters/config.ts';
import { departmentTokenSecret } from '#adapters/credentials/token-secret.ts';
import { isTokenRevoked, portalForApiKey } from '#adapters/dynamodb/credential-store.ts';
import { bearerChallenge, bearerToken, verifyApplicantToken } from '#adapters/identity/applicant-tokens.ts';
import { logger } from '#adapters/logger.ts';
import { HOTLINE_ID, verifyDepartmentToken } from '#core/credentials/tokens.ts';
import { type ApplicantIdentity, ApplicantTokenRefusedError, acrFor } from '#core/identity/applicant.ts';
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
  if (apiKey) {
    const portalId = await portalForApiKey(apiKey);
    // usageIdentifierKey: the REST API takes API keys from the authorizer (apiKeySourceType
    // AUTHORIZER), so the key verified here is the one API Gateway meters against the portal's
    // usage plan (`npm run credentials` creates the API Gateway key with the same value).
    if (portalId) {
      const context: Record<string, string> = bearer
        ? await applicantContext(portalId, header(event, 'authorization'))
        : { callerKind: 'portal', portalId };
      return {
        ...allow(`portal:${portalId}`, event.methodArn, context),
        usageIdentifierKey: apiKey,
      };
    }
  } else if (bearer) {
    const { CITY_ID } = config();
    const secret = await departmentTokenSecret();
    const claims = secret ? await verifyDepartmentToken(secret, bearer, CITY_ID) : null;
    if (claims && !(await isTokenRevoked(claims.jti)))
      return claims.sub === HOTLINE_ID
        ? allow(`hotline:${claims.sub}`, event.methodArn, { callerKind: 'hotline', operatorId: claims.sub })
        : allow(`department:${claims.sub}`, event.methodArn, {
            callerKind: 'department',
            departmentId: claims.sub,
          });
  }
  logger.info('credentials refused', { scheme: bearer ? 'bearer' : apiKey ? 'api-key' : 'none' });
  // API Gateway turns this exact message into a 401.
  throw new Error('Unauthorized');
}

/**
 * The context of an applicant through `portalId`: the identity, minimal (what the routes need to
 * bind the call to the applicant — kind, subject, names, identifiers, role, assurance), or the
 * refusal and its challenge. A JWKS that cannot be fetched is an outage (UnavailableError → 503).
 */
async function applicantContext(
  portalId: string,
  authorization: string | undefined,
): Promise<Record<string, string>> {
  const token = bearerToken(authorization);
  try {
    if (!token) throw new ApplicantTokenRefusedError('malformed_token', 'the bearer token is not a JWT');
    const { identity } = await verifyApplicantToken(token);
    return { callerKind: 'applicant', portalId, applicant: JSON.stringify(minimal(identity)) };
  } catch (err) {
    if (!(err instanceof ApplicantTokenRefusedError)) throw err;
    logger.info('applicant token refused', { reason: err.reason });
    return {
      callerKind: 'portal',
      portalId,
      applicantRefused: err.reason,
      applicantChallenge: bearerChallenge(err, acrFor),
    };
  }
}

function minimal(identity: ApplicantIdentity): ApplicantIdentity {
  const person = (p: { subject: string; name: string; idNumber: string }) => ({
    subject: p.subject,
    name: p.name,
    idNumber: p.idNumber,
  });
  return identity.kind === 'person'
    ? { kind: 'person', ...person(identity), assurance: identity.assurance }
    : {
        kind: 'organisation',
        subject: identity.subject,
        uscc: identity.uscc,
        name: identity.name,
        actingPerson: person(identity.actingPerson),
        role: identity.role,
        assurance: identity.assurance,
      };
}

export const handler = authorize;
