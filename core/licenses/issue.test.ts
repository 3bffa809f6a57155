/**
 * issueLicenses over in-memory ports, the Changzhou catalog and a P-256 key made here: one
 * signature per attempt, over the manifest of every license it builds (manifest.ts); a retry after
 * a partial failure signs only what it builds then; every license verifies from its own record.
 * Pure: no emulators.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../case/model.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { identifierKeyer } from '../identity/keyed-ids.ts';
import { embeddedData, type LicenseData } from './document.ts';
import { type IssueLicensesDeps, issueLicenses } from './issue.ts';
import { manifestEntry, manifestMessage } from './manifest.ts';
import type { IssuedLicense, LicenseFiles, LicenseSigner, LicenseStore } from './ports.ts';
import { verifyLicense } from './verify.ts';

const catalog = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const ESTABLISHMENT = 'enterprise-establishment-registration';
const SEAL = 'company-seal-filing';
const BANK = 'bank-account-booking';
const SERVICES = [ESTABLISHMENT, SEAL, BANK];
const keyer = identifierKeyer('a-test-identifier-secret-of-32-bytes!!');

const record: CaseRecord = {
  caseId: 'c-aaaaaaaaaaaaaaaaaaaaaaaaaa',
  portalId: 'portal-a',
  bundleId: 'enterprise-opening',
  services: SERVICES,
  catalogVersion: '2022.1',
  status: 'in_review',
  applicant: {
    kind: 'organisation',
    name: '常州示例科技有限公司',
    uscc: '91320400MA1XXXXX0X',
    phone: '13812345678',
  },
  form: {},
  materials: [],
  delivery: { method: 'electronic' },
  commitments: [],
  requestHash: 'h',
  createdAt: '2024-03-01T00:00:00.000Z',
  updatedAt: '2024-03-01T00:00:00.000Z',
  dueAt: '2024-03-08T00:00:00.000Z',
  correctionRound: 0,
  version: 1,
};

/** A P-256 signer that counts its calls (each one a KMS Sign in AWS) and can be made to fail. */
function countingSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signed: Uint8Array[] = [];
  const state = { fail: false };
  const signer: LicenseSigner = {
    keyId: 'local:test',
    algorithm: 'ECDSA_SHA_256',
    async sign(message) {
      if (state.fail) throw new Error('signing key unavailable');
      signed.push(message);
      return new Uint8Array(sign('sha256', message, privateKey));
    },
    verify: async (message, signature) => verify('sha256', message, publicKey, signature),
  };
  return { signer, signed, state };
}

function setup() {
  const { signer, signed, state } = countingSigner();
  const objects = new Map<string, Uint8Array>();
  /** License ids whose document fails to store (once each). */
  const failFilesOf = new Set<string>();
  const files: LicenseFiles = {
    keysFor: (id) => ({ documentKey: `${id}/document.html` }),
    async put(id, document) {
      if (failFilesOf.delete(id)) throw new Error('S3 unavailable');
      objects.set(`${id}/document.html`, document);
    },
    read: async (key) => objects.get(key),
    downloadUrl: async (key) => key,
  };
  const byService = new Map<string, IssuedLicense>();
  const byId = new Map<string, IssuedLicense>();
  const putOne = async (l: IssuedLicense) => {
    const stored = byService.get(l.serviceId);
    if (stored) return { created: false, stored };
    byService.set(l.serviceId, l);
    byId.set(l.licenseId, l);
    return { created: true, stored: l };
  };
  const store: LicenseStore = {
    put: putOne,
    putAll: (ls) => Promise.all(ls.map(putOne)),
    listForCase: async () => [...byService.values()],
    get: async (id) => byId.get(id),
  };
  let n = 0;
  const deps: IssueLicensesDeps = {
    cases: { get: async (id) => (id === record.caseId ? record : undefined) },
    catalog,
    files,
    store,
    signer,
    keyer,
    now: () => new Date('2024-03-01T08:00:00.000Z'),
    newLicenseId: () => `l-${String(++n).padStart(26, '0')}`,
  };
  /** Verification as the holder does it: the id with the code printed in the data its document carries. */
  const verifyIssued = async (licenseId: string) => {
    const embedded = embeddedData(objects.get(`${licenseId}/document.html`)!);
    const data = JSON.parse(new TextDecoder().decode(embedded)) as LicenseData;
    return verifyLicense(
      {
        store,
        files,
        verifierFor: (keyId) => (keyId === signer.keyId ? signer : undefined),
        catalog,
        keyer,
      },
      licenseId,
      data.verificationCode,
    );
  };
  return { deps, signed, state, byService, failFilesOf, verifyIssued, objects };
}

describe('issueLicenses', () => {
  it('signs once for all the licenses of an attempt, and each of them verifies from its own record', async () => {
    const { deps, signed, byService, verifyIssued, objects } = setup();

    const out = await issueLicenses(deps, { caseId: record.caseId, approved: SERVICES });

    expect(out.licenses.map((l) => l.serviceId)).toEqual(SERVICES);
    expect(signed).toHaveLength(1);
    // One object per license: its document, the data embedded.
    expect([...objects.keys()]).toEqual(out.licenses.map((l) => `${l.id}/document.html`));
    const licenses = [...byService.values()];
    expect(licenses).toHaveLength(3);
    const [manifest] = new Set(licenses.map((l) => JSON.stringify(l.manifest)));
    expect(JSON.parse(manifest!)).toEqual(licenses.map(manifestEntry).sort());
    expect(signed[0]).toEqual(manifestMessage(licenses[0]!.manifest!));
    expect(new Set(licenses.map((l) => l.signature)).size).toBe(1);
    for (const l of out.licenses) expect((await verifyIssued(l.id)).valid, l.serviceId).toBe(true);
  });

  it('signs only what a retry builds after some files failed to store, and leaves the licenses recorded as they were', async () => {
    const { deps, signed, byService, failFilesOf, verifyIssued } = setup();
    failFilesOf.add('l-00000000000000000000000002'); // the second service's files, on the first attempt

    await expect(issueLicenses(deps, { caseId: record.caseId, approved: SERVICES })).rejects.toThrow(
      'S3 unavailable',
    );
    expect(signed).toHaveLength(1);
    const first = [...byService.values()];
    expect(first.map((l) => l.serviceId)).toEqual([ESTABLISHMENT, BANK]);
    expect(first[0]!.manifest).toHaveLength(2); // the failed license is not in it

    const out = await issueLicenses(deps, { caseId: record.caseId, approved: SERVICES });

    expect(signed).toHaveLength(2);
    const seal = byService.get(SEAL)!;
    expect(seal.licenseId).toBe('l-00000000000000000000000004'); // a new id: redone from scratch
    expect(seal.manifest).toEqual([manifestEntry(seal)]);
    expect(signed[1]).toEqual(manifestMessage([manifestEntry(seal)]));
    expect([byService.get(ESTABLISHMENT), byService.get(BANK)]).toEqual(first);
    for (const l of out.licenses) expect((await verifyIssued(l.id)).valid, l.serviceId).toBe(true);
  });

  it('records nothing when the one signature fails, and the retry issues everything', async () => {
    const { deps, state, byService, signed } = setup();
    state.fail = true;

    await expect(issueLicenses(deps, { caseId: record.caseId, approved: SERVICES })).rejects.toThrow(
      'signing key unavailable',
    );
    expect(byService.size).toBe(0);

    state.fail = false;
    await issueLicenses(deps, { caseId: record.caseId, approved: SERVICES });
    expect(byService.size).toBe(3);
    expect(signed).toHaveLength(1);
  });

  it('signs nothing when every approved service has its license already', async () => {
    const { deps, signed } = setup();
    const first = await issueLicenses(deps, { caseId: record.caseId, approved: SERVICES });

    const again = await issueLicenses(deps, { caseId: record.caseId, approved: SERVICES });

    expect(again).toEqual(first);
    expect(signed).toHaveLength(1);
  });
});
