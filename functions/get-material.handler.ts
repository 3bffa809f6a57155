/**
 * GET /v1/materials/{materialId} — a portal's own material, its bytes judged on the way if they
 * have arrived since the last look. Another portal's material is 404, like an unknown one.
 */
import { getMaterial, verifyMaterial } from '#adapters/dynamodb/material-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { MaterialParams } from '#core/api/requests.ts';
import { NotFoundError, UnauthorizedError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: MaterialParams },
  async ({ params, caller }) => {
    if (caller.kind !== 'portal') throw new UnauthorizedError('This route is for portals.');
    const found = await getMaterial(caller.portalId, params.materialId);
    if (!found) throw new NotFoundError(`There is no material "${params.materialId}" of yours.`);
    const m = await verifyMaterial(found);
    return {
      status: 200,
      body: {
        id: m.materialId,
        bundleId: m.bundleId,
        type: m.materialType,
        fileName: m.fileName,
        contentType: m.contentType,
        size: m.size,
        status: m.status,
        ...(m.reason ? { reason: m.reason } : {}),
        createdAt: m.createdAt,
        ...(m.verifiedAt ? { verifiedAt: m.verifiedAt } : {}),
      },
    };
  },
);
