/**
 * POST /v1/materials — a portal declares one file of 一套材料 and gets a presigned URL to upload
 * its bytes straight to S3. The material is usable once the stored bytes prove the declaration.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { createMaterial } from '#adapters/dynamodb/material-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { LocationHeader, MaterialCreatedSchema } from '#adapters/http/schemas.ts';
import { checkDeclaration, DeclarationSchema } from '#core/materials/declaration.ts';
import { declaredView } from '#core/materials/material.ts';

export const route = defineRoute({
  name: 'create-material',
  method: 'POST',
  path: '/v1/materials',
  caller: 'portal',
  summary: 'Declare one file of 一套材料 and get a presigned URL for its bytes',
  description:
    'The material is usable in a case once the bytes sent to `upload.url` (with exactly `upload.headers`) match the declared size, SHA-256 and content type.',
  tags: ['Materials'],
  // Checked by checkDeclaration: shape and catalog problems go out together.
  body: { schema: DeclarationSchema, description: 'The file about to be uploaded.', checkedByUseCase: true },
  responses: {
    201: {
      description: 'Declared; upload the bytes next.',
      schema: MaterialCreatedSchema,
      headers: LocationHeader,
    },
  },
  problems: {
    422: 'The declaration breaks the shape or the catalog (unknown bundle or type, content type not accepted, too large): every problem listed.',
  },
  needs: { table: 'write', files: 'write' },
});

export const handler = httpHandler(route)(async ({ body, caller, baseUrl }) => {
  const declaration = checkDeclaration(catalog(), body);
  const { material, upload } = await createMaterial(caller.portalId, declaration);
  return {
    status: 201,
    headers: { location: `${baseUrl}/v1/materials/${material.materialId}` },
    body: declaredView(material, upload),
  };
});
