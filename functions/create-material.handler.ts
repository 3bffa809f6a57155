/**
 * POST /v1/materials — a portal declares one file of 一套材料 and gets a presigned URL to upload
 * its bytes straight to S3. The material is usable once the stored bytes prove the declaration.
 */
import * as z from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { createMaterial } from '#adapters/dynamodb/material-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { checkDeclaration } from '#core/materials/declaration.ts';
import { UnauthorizedError } from '#core/shared/errors.ts';

// The body is checked by checkDeclaration, not here: shape and catalog problems go out together.
export const handler = makeHttpHandler(
  { caller: 'portal', body: z.unknown() },
  async ({ body, caller, baseUrl }) => {
    if (caller.kind !== 'portal') throw new UnauthorizedError('This route is for portals.');
    const declaration = checkDeclaration(catalog(), body);
    const { material, upload } = await createMaterial(caller.portalId, declaration);
    return {
      status: 201,
      headers: { location: `${baseUrl}/v1/materials/${material.materialId}` },
      body: {
        id: material.materialId,
        status: material.status,
        upload,
        // Never used by a case, the declaration is forgotten at this time; the URL expires sooner.
        expiresAt: new Date((material.expiresAt ?? 0) * 1000).toISOString(),
      },
    };
  },
);
