/**
 * The typed client (client/) is checked in: it must be what `npm run client` generates from the
 * route specs now, so that CI catches a route changed without its client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDepartmentClient,
  createPortalClient,
  createPublicClient,
  licenseDataOf,
} from '../../client/index.ts';
import { type LicenseData, licenseHtml } from '../../core/licenses/document.ts';
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

  it('reads the data a license document carries, as the signature covers it — whatever the holder typed', () => {
    const data: LicenseData = {
      licenseId: 'l-8k2mq4v7x9zt3bn5rd6wc1hj0p',
      verificationCode: '7K3M-9QX2',
      caseId: 'c-aaaaaaaaaaaaaaaaaaaaaaaaaa',
      serviceId: 'business-license',
      serviceName: '营业执照',
      result: { kind: 'license', name: '营业执照' },
      holder: {
        kind: 'person',
        name: '</script><b>张三</b>',
        identifierType: 'idNumber',
        identifier: '1101**7777',
      },
      issuer: { departmentId: 'market', name: '市场监督管理局' },
      issuedAt: '2026-11-20T02:00:00.000Z',
      catalogVersion: 't',
    };
    expect(licenseDataOf(licenseHtml(data))).toEqual(data);
    expect(licenseDataOf('<html>营业执照</html>')).toBeUndefined();
  });
});
