/**
 * The typed client (client/) is checked in: it must be what `npm run client` generates from the
 * route specs now, so that CI catches a route changed without its client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDepartmentClient, createPortalClient, createPublicClient } from '../../client/index.ts';
import { repoRoot } from '../../infra/paths.ts';
import { generateClient } from '../../scripts/client.ts';

describe('the typed client', () => {
  it('is checked in as `npm run client` generates it from the route specs', async () => {
    for (const [path, text] of Object.entries(await generateClient())) {
      const checkedIn = readFileSync(join(repoRoot, path), 'utf8');
      expect(checkedIn === text, `${path} is stale: run \`npm run client\` and commit client/`).toBe(true);
    }
  }, 30_000);

  it('sends each caller kind’s credentials, and a list in a query comma-separated', async () => {
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      return Response.json({ items: [] });
    };
    const baseUrl = 'https://api.example.cn/prod/';
    await createPublicClient({ baseUrl, fetch }).GET('/v1/bundles/{bundleId}/guide', {
      params: { path: { bundleId: 'enterprise-opening' }, query: { services: ['a', 'b'] } },
    });
    await createPortalClient({ baseUrl, fetch, apiKey: 'yjs_k', token: 't' }).GET('/v1/cases');
    await createDepartmentClient({ baseUrl, fetch, token: 'd' }).GET('/v1/supervision');
    expect(seen.map((r) => decodeURIComponent(r.url))).toEqual([
      'https://api.example.cn/prod/v1/bundles/enterprise-opening/guide?services=a,b',
      'https://api.example.cn/prod/v1/cases',
      'https://api.example.cn/prod/v1/supervision',
    ]);
    expect([...seen[0]!.headers.keys()]).not.toContain('x-api-key');
    expect(seen[1]!.headers.get('x-api-key')).toBe('yjs_k');
    expect(seen[1]!.headers.get('authorization')).toBe('Bearer t');
    expect(seen[2]!.headers.get('authorization')).toBe('Bearer d');
  });
});
