/**
 * POST /v1/me/authorisations — 帮办代办: the signed-in applicant authorises a helper (a person by ID
 * number, or an organisation by credit code) to apply for them, for some bundles, until a date.
 */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { authorisationStore } from '#adapters/dynamodb/authorisation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, LocationHeader } from '#adapters/http/schemas.ts';
import { authorisationView, GrantAuthorisationBody, grantMine } from '#core/identity/authorisations.ts';

const Party = z.enum(['person', 'organisation']);

/** What the applicant sees of an authorisation they gave: the helper's identifier masked. */
export const AuthorisationSchema = component(
  'Authorisation',
  z
    .object({
      id: z.string(),
      helper: z.object({
        kind: Party,
        name: z.string(),
        identifier: z.string().check(z.describe('The helper’s ID number or credit code, masked.')),
      }),
      scope: z.object({ bundleIds: z.array(z.string()), serviceIds: z.optional(z.array(z.string())) }),
      minAssurance: z.number().check(z.int(), z.gte(1), z.lte(3)),
      state: z.enum(['in_force', 'not_yet_valid', 'expired', 'revoked']),
      grantedAt: z.string(),
      validFrom: z.string(),
      expiresAt: z.string(),
      revokedAt: z.optional(z.string()),
    })
    .check(
      z.describe(
        'An authorisation the applicant gave a helper (帮办代办), with its state; the helper’s identifier masked.',
      ),
    ),
);

export const route = defineRoute({
  name: 'create-authorisation',
  method: 'POST',
  path: '/v1/me/authorisations',
  caller: 'applicant',
  summary: 'Authorise a helper to apply for me (帮办代办)',
  description:
    'The principal is always the signed-in applicant (for an organisation, only its legal representative may authorise). The helper then applies with their own token, naming you as the applicant; the case records that they acted for you under this authorisation, and your access log shows it. Revoke it with DELETE; once expired or revoked, the helper is refused (403).',
  tags: ['Cases'],
  body: {
    schema: component('AuthorisationRequest', GrantAuthorisationBody),
    description: 'The helper, what for, and until when.',
  },
  responses: { 201: { description: 'Recorded.', schema: AuthorisationSchema, headers: LocationHeader } },
  problems: {
    403: 'The signed-in person may not authorise for this organisation (only its legal representative may).',
    422: 'A helper that is the applicant themself, an invalid ID number or credit code, an unknown bundle or service, or an expiry in the past or more than 366 days after the start: every problem listed.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ body, caller, baseUrl }) => {
  const now = new Date();
  const authorisation = await grantMine(
    { store: authorisationStore, bundles: catalog().bundles, now: () => now },
    caller.applicant,
    body,
  );
  return {
    status: 201,
    headers: { location: `${baseUrl}/v1/me/authorisations/${authorisation.id}`, 'cache-control': 'no-store' },
    body: authorisationView(authorisation, now),
  };
});
