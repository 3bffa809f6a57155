/** GET /v1/bundles/{bundleId} — one bundle with its services in full. */
import { z } from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { bundleDetail } from '#core/catalog/views.ts';

export const handler = makeHttpHandler(
  { caller: 'public', params: z.object({ bundleId: z.string().min(1).max(100) }) },
  async ({ params }) => {
    const index = catalog();
    return { status: 200, body: bundleDetail(index, index.bundle(params.bundleId)) };
  },
);
