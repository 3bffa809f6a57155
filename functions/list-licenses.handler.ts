/** GET /v1/cases/{caseId}/licenses — the case's e-licences, with short-lived download links. */
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { CaseParams } from '#core/api/requests.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: CaseParams },
  async ({ params, caller }) => {
    const record = await caseRepository.get(params.caseId);
    // Another portal's case is "not found", never "forbidden": case ids cannot be probed.
    if (!record || caller.kind !== 'portal' || record.portalId !== caller.portalId)
      throw new NotFoundError(`There is no case "${params.caseId}" of yours.`);
    const licenses = await licenseStore.listForCase(record.caseId);
    const items = await Promise.all(
      licenses.map(async (l) => ({
        id: l.licenseId,
        serviceId: l.serviceId,
        name: l.name,
        issuedAt: l.issuedAt,
        downloadUrl: await licenseFiles.downloadUrl(l.documentKey),
        dataUrl: await licenseFiles.downloadUrl(l.dataKey),
      })),
    );
    // The links expire within minutes: no cache may keep them longer.
    return { status: 200, body: { items }, headers: { 'cache-control': 'no-store' } };
  },
);
