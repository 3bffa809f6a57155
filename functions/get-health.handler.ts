/**
 * GET /v1/health — which city and catalog version this deployment serves, and whether what every
 * other route needs answers: the table (one GetItem of a key that never exists) and the files bucket
 * (one HeadObject, likewise). Up: 200. A dependency down: 503 problem+json with Retry-After, naming
 * each dependency that did not answer in `errors`.
 */
import { HeadObjectCommand } from '#adapters/aws/s3.ts';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { config } from '#adapters/config.ts';
import { GetCommand } from '#adapters/dynamodb/commands.ts';
import { send } from '#adapters/dynamodb/send.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { HealthSchema } from '#adapters/http/schemas.ts';
import { bucket, sendS3 } from '#adapters/s3/client.ts';
import { UnavailableError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-health',
  method: 'GET',
  path: '/v1/health',
  caller: 'public',
  summary: 'Liveness, and which city and catalog version this deployment serves',
  description:
    'Checks that the table and the files bucket answer. When one does not, the answer is 503 problem+json with Retry-After, naming each dependency that is down in `errors` (`/dependencies/database`, `/dependencies/storage`).',
  tags: ['Meta'],
  responses: { 200: { description: 'Up.', schema: HealthSchema } },
  needs: { table: 'read', files: 'read' },
});

/** A probe slower than this counts as down: health must answer fast even when a dependency hangs. */
const PROBE_TIMEOUT_MS = 2000;

const PROBES = {
  database: () =>
    send(new GetCommand({ TableName: config().TABLE_NAME, Key: { pk: 'HEALTH', sk: 'PROBE' } })),
  // Missing key: 404, or 403 without s3:ListBucket — either way S3 answered.
  storage: () =>
    sendS3(new HeadObjectCommand({ Bucket: bucket(), Key: 'health/probe' })).catch((err: unknown) => {
      const e = err as { cause?: unknown };
      const answer = (e.cause ?? e) as { $metadata?: { httpStatusCode?: number } };
      const status = answer.$metadata?.httpStatusCode;
      if (status === 404 || status === 403) return;
      throw err;
    }),
} as const;

async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const handler = httpHandler(route)(async () => {
  const { city, version } = catalog().catalog;
  const names = Object.keys(PROBES) as (keyof typeof PROBES)[];
  const up = await Promise.all(names.map((name) => answers(PROBES[name])));
  const down = names.filter((_, i) => !up[i]);
  if (down.length)
    throw new UnavailableError(`${city.id}: ${down.join(' and ')} did not answer.`, {
      problems: down.map((name) => ({
        path: `/dependencies/${name}`,
        code: 'unavailable',
        message: name === 'database' ? 'The table does not answer.' : 'The files bucket does not answer.',
      })),
    });
  return { status: 200, body: { status: 'ok', city: city.id, catalogVersion: version } };
});
