/**
 * GET /v1/materials/{materialId} — a portal's own material, its bytes judged on the way if they
 * have arrived since the last look. Another portal's material is 404, like an unknown one.
 */
import { getMaterial, verifyMaterial } from '#adapters/dynamodb/material-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { MaterialParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { MaterialSchema } from '#adapters/http/schemas.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-material',
  method: 'GET',
  path: '/v1/materials/{materialId}',
  caller: 'portal',
  summary: 'One of this portal’s materials; its bytes are judged if they arrived since the last look',
  description:
    'A declared material and what became of its bytes: `awaiting_upload` until the file is PUT to its presigned URL, then `verified` when the stored bytes have exactly the declared size, SHA-256 and content type, or `rejected` with the reason. Another portal’s material is 404.',
  tags: ['Materials'],
  params: MaterialParams,
  responses: { 200: { description: 'The material.', schema: MaterialSchema } },
  problems: { 404: 'No such material of this portal (another portal’s material is 404 too).' },
  // Judging the bytes reads them and records the verdict.
  needs: { table: 'write', files: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
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
});
