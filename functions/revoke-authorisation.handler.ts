/** DELETE /v1/me/authorisations/{authorisationId} — the applicant revokes a helper's authorisation, at once. */
import * as z from 'zod/mini';
import { authorisationStore } from '#adapters/dynamodb/authorisation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { authorisationView, revokeMine } from '#core/identity/authorisations.ts';
import { AuthorisationSchema } from './create-authorisation.handler.ts';

export const route = defineRoute({
  name: 'revoke-authorisation',
  method: 'DELETE',
  path: '/v1/me/authorisations/{authorisationId}',
  caller: 'applicant',
  summary: 'Revoke an authorisation of a helper (帮办代办)',
  description:
    'From now on the helper is refused (403) when acting for you under it; cases already submitted stay.',
  tags: ['Cases'],
  params: z.object({ authorisationId: z.string().check(z.minLength(1), z.maxLength(100)) }),
  responses: {
    200: { description: 'Revoked; the authorisation as it is now.', schema: AuthorisationSchema },
  },
  problems: {
    404: 'No such authorisation of yours (anyone else’s is 404 too).',
    409: 'It is already revoked.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  const now = new Date();
  const revoked = await revokeMine(
    { store: authorisationStore, now: () => now },
    caller.applicant,
    params.authorisationId,
  );
  return { status: 200, headers: { 'cache-control': 'no-store' }, body: authorisationView(revoked, now) };
});
