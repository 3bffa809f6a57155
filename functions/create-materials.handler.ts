/**
 * POST /v1/materials/batch — a portal declares a whole set of files of 一套材料 at once (up to 50:
 * a case's materials) and gets a presigned URL for each. One write records the set, all or none:
 * a portal uploading a case's 4 materials pays 1 write, not 4.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { createMaterials } from '#adapters/dynamodb/material-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { MaterialSetCreatedSchema } from '#adapters/http/schemas.ts';
import { checkDeclarations, DeclarationSetSchema } from '#core/materials/declaration.ts';
import { declaredView } from '#core/materials/material.ts';

export const route = defineRoute({
  name: 'create-materials',
  method: 'POST',
  path: '/v1/materials/batch',
  caller: 'portal',
  summary: 'Declare a whole set of files of 一套材料 at once and get a presigned URL for each',
  description:
    'Each item is a declaration as POST /v1/materials takes it, and is answered as POST /v1/materials answers it, in the order declared; the set is recorded together or not at all. Each material is usable in a case once the bytes sent to its `upload.url` (with exactly its `upload.headers`) match its declared size, SHA-256 and content type.',
  tags: ['Materials'],
  // Checked by checkDeclarations: the list's problems and every item's go out together.
  body: {
    schema: DeclarationSetSchema,
    description: 'The files about to be uploaded: 1–50 declarations.',
    checkedByUseCase: true,
  },
  // No Location: the answer names several resources, each by its id (GET /v1/materials/{materialId}).
  responses: {
    201: { description: 'All declared; upload the bytes of each next.', schema: MaterialSetCreatedSchema },
  },
  problems: {
    422: 'No items or more than 50, or any item breaking the shape or the catalog (unknown bundle or type, content type not accepted, too large): every problem of every item listed, under `/items/<i>`, and nothing declared.',
  },
  needs: { table: 'write', files: 'write' },
});

export const handler = httpHandler(route)(async ({ body, caller }) => {
  const declarations = checkDeclarations(catalog(), body);
  const declared = await createMaterials(caller.portalId, declarations);
  return {
    status: 201,
    body: { items: declared.map(({ material, upload }) => declaredView(material, upload)) },
  };
});
