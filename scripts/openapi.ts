/**
 * Prints the OpenAPI 3.1 document of this API (the one GET /v1/openapi.json serves), without a
 * running stack: `npm run openapi > openapi.json`, or `npm run openapi -- --server <url>`.
 */
import { buildOpenApiDocument } from '../adapters/http/openapi.ts';
import { httpRoutes } from '../functions/routes.ts';

const at = process.argv.indexOf('--server');
const serverUrl = at > 0 ? process.argv[at + 1] : undefined;
process.stdout.write(
  `${JSON.stringify(buildOpenApiDocument(httpRoutes, serverUrl ? { serverUrl } : {}), null, 2)}\n`,
);
