/** GET /v1/me/authorisations — the helpers the signed-in applicant has authorised (帮办代办), newest first. */
import * as z from 'zod/mini';
import { authorisationStore } from '#adapters/dynamodb/authorisation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component } from '#adapters/http/schemas.ts';
import { authorisationView, listMine } from '#core/identity/authorisations.ts';
import { AuthorisationSchema } from './create-authorisation.handler.ts';

export const route = defineRoute({
  name: 'list-authorisations',
  method: 'GET',
  path: '/v1/me/authorisations',
  caller: 'applicant',
  summary: 'My authorisations of helpers (帮办代办), in force or not',
  description: 'Every authorisation the signed-in applicant gave, with its state; the newest 100.',
  tags: ['Cases'],
  responses: {
    200: {
      description: 'The authorisations, newest first.',
      schema: component(
        'AuthorisationList',
        z
          .object({ items: z.array(AuthorisationSchema) })
          .check(z.describe('The helpers the applicant authorised, newest first.')),
      ),
    },
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ caller }) => {
  const now = new Date();
  const items = await listMine({ store: authorisationStore }, caller.applicant);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: { items: items.map((a) => authorisationView(a, now)) },
  };
});
