/** GET /v1/cases/{caseId}/licenses — the case's e-licenses, with short-lived download links. */
import { caseWithLicenses } from '#adapters/dynamodb/case-reads.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { LicenseListSchema } from '#adapters/http/schemas.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { ownCase } from '#core/case/ownership.ts';
import { licensesWithLinks } from '#core/licenses/links.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'list-licenses',
  method: 'GET',
  path: '/v1/cases/{caseId}/licenses',
  caller: 'applicant',
  summary: 'The case’s e-licenses (一窗出件), with short-lived download links',
  description:
    'Every e-license the case was issued (一窗出件), each with a short-lived download link to its signed document, which carries the data its signature covers (and the verification code printed on it) as JSON in its data block (the `script` element of type `application/json` with id `license-data`). Empty until the case is issued; only the case’s portal and applicant may read it.',
  tags: ['Licenses'],
  params: CaseParams,
  responses: { 200: { description: 'The licenses issued so far.', schema: LicenseListSchema } },
  problems: { 404: 'No such case of this portal.' },
  needs: { table: 'read', files: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  // One read: the case and its licenses share its partition (adapters/dynamodb/case-reads.ts).
  const { record, licenses } = await caseWithLicenses(params.caseId);
  // Another portal's case is "not found", never "forbidden": case ids cannot be probed.
  if (!ownCase(record, caller)) throw new NotFoundError(`There is no case "${params.caseId}" of yours.`);
  const items = await licensesWithLinks(licenseFiles, licenses);
  // The links expire within minutes: no cache may keep them longer.
  return { status: 200, body: { items }, headers: { 'cache-control': 'no-store' } };
});
