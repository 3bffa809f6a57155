/**
 * Issuing, listing and verifying e-licenses against the local stack: the task handler writes to
 * DynamoDB Local and s3rver; listing and verification go through the dev server over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { runAsFunction, startAwsCallRecording } from '#adapters/aws-call-recorder.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { licenseKeys, licenseStore } from '#adapters/dynamodb/license-store.ts';
import { send } from '#adapters/dynamodb/send.ts';
import { flowDeps } from '#adapters/flow-deps.ts';
import { bucket, sendS3 } from '#adapters/s3/client.ts';
import { signer } from '#adapters/signing/signer.ts';
import { type CaseRecord, caseIdFor } from '#core/case/model.ts';
import { deliverWithLicenses } from '#core/flow/steps.ts';
import { embeddedData, sha256Hex, signedMessage } from '#core/licenses/document.ts';
import { manifestEntry } from '#core/licenses/manifest.ts';
import { handler } from '#functions/issue-licenses.task.ts';
import { lambdaContext } from '#local/lambda-registry.ts';
import { licenseDataAt, printedCode, verifyLicense } from '../e2e/licenses.ts';
import { applicantAuth, DEFAULT_ORGANISATION } from '../e2e/portal.ts';
import { call } from '../e2e/target.ts';

const ESTABLISHMENT = 'enterprise-establishment-registration';
const SEAL = 'company-seal-filing';
/** The seeded enterprise a demo applicant signs in for: the case is theirs, so they may list its licenses. */
const USCC = '91320402MA27QK3L8L';

async function newCase(portalId = 'portal-a'): Promise<CaseRecord> {
  const now = new Date().toISOString();
  const record: CaseRecord = {
    caseId: caseIdFor(portalId, randomUUID()),
    portalId,
    bundleId: 'enterprise-opening',
    services: [ESTABLISHMENT, SEAL, 'bank-account-booking'],
    catalogVersion: '2022.1',
    status: 'in_review',
    applicant: { kind: 'organisation', name: '常州青果巷餐饮管理有限公司', uscc: USCC, phone: '13812345678' },
    form: { enterpriseName: '常州青果巷餐饮管理有限公司' },
    materials: [],
    delivery: { method: 'electronic' },
    commitments: [],
    requestHash: randomUUID(),
    createdAt: now,
    updatedAt: now,
    dueAt: now,
    correctionRound: 0,
    version: 1,
  };
  const created = await caseRepository.create(
    record,
    { at: now, event: 'submitted' },
    { actor: `portal:${portalId}`, action: 'submit' },
  );
  expect(created).toBe(true);
  return record;
}

const issue = (caseId: string, approved: string[]) =>
  handler({ caseId, approved }, lambdaContext('issue-licenses')) as Promise<{
    licenses: { id: string; serviceId: string }[];
  }>;

const listLicenses = (caseId: string, as = 0) =>
  call('GET', `/v1/cases/${caseId}/licenses`, { headers: applicantAuth(DEFAULT_ORGANISATION, as) });
/** The code printed on the license, as its holder has it (from the data its document carries). */
async function codeOf(caseId: string, licenseId: string): Promise<string> {
  const items = (await listLicenses(caseId)).body.items as { id: string; downloadUrl: string }[];
  return printedCode(items.find((i) => i.id === licenseId)!.downloadUrl);
}
/** Verification as the holder does it: the license id with the code printed on it. */
const verify = async (caseId: string, licenseId: string) =>
  verifyLicense(licenseId, await codeOf(caseId, licenseId));
const LICENSE_ID = /^l-[0-9a-hjkmnp-tv-z]{26}$/;

describe('e-licenses', () => {
  it('issues one license per approved service and lists them for the portal that owns the case', async () => {
    const c = await newCase();

    const out = await issue(c.caseId, [ESTABLISHMENT, SEAL]);

    expect(out.licenses).toEqual([
      { id: expect.stringMatching(LICENSE_ID), serviceId: ESTABLISHMENT },
      { id: expect.stringMatching(LICENSE_ID), serviceId: SEAL },
    ]);
    // Random ids: nothing of the case in them, and not the same for two services.
    expect(out.licenses[0]!.id).not.toBe(out.licenses[1]!.id);
    for (const l of out.licenses) expect(l.id).not.toContain(c.caseId.slice(2));
    const res = await listLicenses(c.caseId);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    const est = res.body.items.find((i: { serviceId: string }) => i.serviceId === ESTABLISHMENT);
    expect(est).toMatchObject({ id: out.licenses[0]!.id, name: '营业执照（含电子营业执照）' });
    expect(typeof est.issuedAt).toBe('string');
    const html = await (await fetch(est.downloadUrl)).text();
    expect(html).toContain('营业执照（含电子营业执照）');
    expect(html).toContain('常州青果巷餐饮管理有限公司');
    expect(html).not.toContain(USCC);
    expect(html).toContain(`<dt>核验码</dt><dd>${await printedCode(est.downloadUrl)}</dd>`);
    // One object per license: the data systems read is in the document, no data file beside it.
    expect(est.dataUrl).toBeUndefined();
    const data = await licenseDataAt(est.downloadUrl);
    expect(data).toMatchObject({
      licenseId: est.id,
      verificationCode: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/),
      serviceId: ESTABLISHMENT,
      issuer: { departmentId: 'market-regulation' },
    });
    expect((await caseRepository.view(c.caseId))?.licenses).toHaveLength(2);
    // Delivered by the same task (Issue And Deliver Licenses): the case is issued.
    expect((await caseRepository.get(c.caseId))?.status).toBe('issued');
  });

  it('verifies an untouched license as valid, with the issuer and the holder masked', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;

    const res = await verify(c.caseId, first!.id);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      licenseId: first!.id,
      serviceId: ESTABLISHMENT,
      name: '营业执照（含电子营业执照）',
      issuer: { id: 'market-regulation', name: '市市场监管局' },
      checks: { documentIntact: true, dataIntact: true, signatureValid: true },
      algorithm: 'ECDSA_SHA_256',
    });
    expect(res.body.keyId).toMatch(/^local:/);
    expect(res.body.holder.identifier).not.toBe(USCC);
    expect(JSON.stringify(res.body)).not.toContain('13812345678');
  });

  it('reports a license whose stored document was altered as invalid', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;
    const stored = await licenseStore.get(first!.id);
    const html = await (await fetch((await listLicenses(c.caseId)).body.items[0].downloadUrl)).text();

    await sendS3(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: stored!.documentKey,
        Body: html.replace('常州青果巷餐饮管理有限公司', '常州冒名科技有限公司'),
        ContentType: 'text/html; charset=utf-8',
      }),
    );
    const res = await verify(c.caseId, first!.id);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: false,
      checks: { documentIntact: false, dataIntact: true, signatureValid: true },
    });
  });

  it('reports a license whose record hashes were changed as having an invalid signature', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [SEAL])).licenses;
    const stored = (await licenseStore.get(first!.id))!;
    const html = await (await fetch((await listLicenses(c.caseId)).body.items[0].downloadUrl)).text();
    const forged = `${html}<!-- forged -->`;
    // Someone rewrites the file and the hash in the record to match: only the signature catches it.
    await sendS3(new PutObjectCommand({ Bucket: bucket(), Key: stored.documentKey, Body: forged }));
    await send(
      new PutCommand({
        TableName: process.env.TABLE_NAME,
        Item: {
          ...licenseKeys.byId(stored.licenseId),
          type: 'licenseById',
          ...stored,
          documentSha256: sha256Hex(new TextEncoder().encode(forged)),
        },
      }),
    );

    const res = await verify(c.caseId, first!.id);

    expect(res.body).toMatchObject({
      valid: false,
      checks: { documentIntact: true, dataIntact: true, signatureValid: false },
    });
  });

  it('records one manifest and one signature for all the licenses of an issue, each listed in it', async () => {
    const c = await newCase();

    await issue(c.caseId, [ESTABLISHMENT, SEAL]);

    const [a, b] = await licenseStore.listForCase(c.caseId);
    expect(a!.manifest).toEqual([manifestEntry(a!), manifestEntry(b!)].sort());
    expect(b!.manifest).toEqual(a!.manifest);
    expect(b!.signature).toBe(a!.signature);
    expect(await licenseStore.get(a!.licenseId)).toEqual(a);
  });

  it('still verifies a license recorded before manifests, signed alone', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;
    const { manifest: _manifest, ...stored } = (await licenseStore.get(first!.id))!;
    // The record as licenses were signed until manifests: no manifest, its own signature.
    const legacy = {
      ...stored,
      signature: Buffer.from(await signer.sign(signedMessage(stored))).toString('base64'),
    };
    for (const [key, type] of [
      [licenseKeys.byId(stored.licenseId), 'licenseById'],
      [licenseKeys.ofService(c.caseId, ESTABLISHMENT), 'license'],
    ] as const)
      await send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { ...key, type, ...legacy } }));
    expect(await licenseStore.get(first!.id)).toEqual(legacy);

    const res = await verify(c.caseId, first!.id);

    expect(res.body).toMatchObject({
      valid: true,
      checks: { documentIntact: true, dataIntact: true, signatureValid: true },
    });
  });

  it('still verifies a license issued with its data in a file of its own, and lists that file', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;
    const stored = (await licenseStore.get(first!.id))!;
    const html = await (await fetch((await listLicenses(c.caseId)).body.items[0].downloadUrl)).arrayBuffer();
    // As licenses were issued before 2026-12-03: the data beside the document, named by the record.
    const dataKey = `licenses/${stored.licenseId}/data.json`;
    await sendS3(
      new PutObjectCommand({ Bucket: bucket(), Key: dataKey, Body: embeddedData(new Uint8Array(html)) }),
    );
    for (const [key, type] of [
      [licenseKeys.byId(stored.licenseId), 'licenseById'],
      [licenseKeys.ofService(c.caseId, ESTABLISHMENT), 'license'],
    ] as const)
      await send(
        new PutCommand({ TableName: process.env.TABLE_NAME, Item: { ...key, type, ...stored, dataKey } }),
      );

    const [listed] = (await listLicenses(c.caseId)).body.items;
    const data = (await (await fetch(listed.dataUrl)).json()) as { licenseId: string };
    expect(data.licenseId).toBe(stored.licenseId);
    expect((await verify(c.caseId, first!.id)).body).toMatchObject({
      valid: true,
      checks: { documentIntact: true, dataIntact: true, signatureValid: true },
    });
  });

  it('records the licenses with the delivery that ends the case issued: one document and one write', async () => {
    const c = await newCase();
    const recording = startAwsCallRecording();
    try {
      await runAsFunction('issue-licenses', () => issue(c.caseId, [ESTABLISHMENT, SEAL]));
      const calls = recording.calls().filter((x) => x.fn === 'issue-licenses');
      const puts = calls.filter((x) => x.action === 's3:PutObject');
      expect(puts.reduce((n, x) => n + x.count, 0)).toBe(2);
      // One TransactWriteItems: the recorder lists it once per IAM action it needs, each once.
      const writes = calls.filter((x) => x.commands.includes('TransactWriteItems'));
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.every((x) => x.commands.join('+') === 'TransactWriteItems' && x.count === 1)).toBe(true);
    } finally {
      recording.stop();
    }
    expect((await caseRepository.get(c.caseId))?.status).toBe('issued');
    expect(await licenseStore.listForCase(c.caseId)).toHaveLength(2);
  });

  it('writes nothing of a delivery whose licenses include one for a service recorded meanwhile', async () => {
    const c = await newCase();
    const other = await newCase();
    await issue(other.caseId, [ESTABLISHMENT, SEAL]);
    // Licenses as this case's attempt would record them; its 企业设立登记 recorded by another first.
    const [est, seal] = (await licenseStore.listForCase(other.caseId)).map((l) => ({
      ...l,
      caseId: c.caseId,
      licenseId: `${l.licenseId.slice(0, -1)}x`,
    }));
    expect((await licenseStore.put(est!)).created).toBe(true);
    const late = { ...est!, licenseId: `${est!.licenseId.slice(0, -1)}y` };

    const written = await deliverWithLicenses(
      flowDeps(),
      c,
      [{ id: late.licenseId }, { id: seal!.licenseId }],
      [late, seal!],
    );

    expect(written).toBe(false);
    expect((await caseRepository.get(c.caseId))?.status).toBe('in_review');
    expect((await licenseStore.listForCase(c.caseId)).map((l) => l.licenseId)).toEqual([est!.licenseId]);
    expect(await licenseStore.get(seal!.licenseId)).toBeUndefined();
  });

  it('answers a repeated write of the very same license (an SDK retry) as created', async () => {
    const c = await newCase();
    await issue(c.caseId, [ESTABLISHMENT]);
    const [stored] = await licenseStore.listForCase(c.caseId);

    expect(await licenseStore.put(stored!)).toEqual({ created: true, stored });
  });

  it('answers 404 to another portal listing the case, and to an unknown license', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;
    const code = await codeOf(c.caseId, first!.id);

    expect((await listLicenses(c.caseId, 1)).status).toBe(404);
    expect((await listLicenses('c-nosuchcase')).status).toBe(404);
    // The old, computable form of a license id finds nothing.
    expect((await verifyLicense(`${c.caseId}.${ESTABLISHMENT}`, code)).status).toBe(404);
    expect((await verifyLicense('not-a-license', code)).status).toBe(404);
  });

  it('verifies nothing from a license id alone or with a wrong code: the answer is that of an unknown id', async () => {
    const c = await newCase();
    const [first] = (await issue(c.caseId, [ESTABLISHMENT])).licenses;
    const code = await codeOf(c.caseId, first!.id);
    const wrong = `${code.slice(0, 8)}${code[8] === '0' ? '1' : '0'}`;
    const unknown = await verifyLicense('l-0000000000000000000000000a', code);

    for (const res of [await verifyLicense(first!.id, undefined), await verifyLicense(first!.id, wrong)]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ ...unknown.body, instance: res.body.instance });
      expect(JSON.stringify(res.body)).not.toContain('常州');
    }
    // Any case, no hyphen: as typed from paper.
    expect((await verifyLicense(first!.id, code.replace('-', '').toLowerCase())).body.valid).toBe(true);
  });

  it('records one license per service when two attempts issue at once, and both answer its id', async () => {
    const c = await newCase();

    const [a, b] = await Promise.all([issue(c.caseId, [ESTABLISHMENT]), issue(c.caseId, [ESTABLISHMENT])]);

    expect(a.licenses).toEqual(b.licenses);
    const recorded = await licenseStore.listForCase(c.caseId);
    expect(recorded.map((l) => l.licenseId)).toEqual([a.licenses[0]!.id]);
    expect((await verify(c.caseId, a.licenses[0]!.id)).body.valid).toBe(true);
  });

  it('issues the same licenses when invoked twice, without duplicates or re-signing', async () => {
    const c = await newCase();
    const first = await issue(c.caseId, [ESTABLISHMENT, SEAL]);
    const before = await licenseStore.listForCase(c.caseId);

    const second = await issue(c.caseId, [SEAL, ESTABLISHMENT, SEAL]);

    expect(second.licenses.map((l) => l.id).sort()).toEqual(first.licenses.map((l) => l.id).sort());
    const after = await licenseStore.listForCase(c.caseId);
    expect(after).toHaveLength(2);
    expect(after).toEqual(before);
    expect((await listLicenses(c.caseId)).body.items).toHaveLength(2);
  });

  it('completes the rest after a partial issue and leaves the license already issued as it was', async () => {
    const c = await newCase();
    await issue(c.caseId, [ESTABLISHMENT]);
    const [issuedBefore] = await licenseStore.listForCase(c.caseId);

    await issue(c.caseId, [ESTABLISHMENT, SEAL]);

    const after = await licenseStore.listForCase(c.caseId);
    expect(after.map((l) => l.serviceId).sort()).toEqual([SEAL, ESTABLISHMENT].sort());
    expect(after.find((l) => l.serviceId === ESTABLISHMENT)).toEqual(issuedBefore);
    for (const l of after) expect((await verify(c.caseId, l.licenseId)).body.valid).toBe(true);
  });

  it('fails with CaseNotFoundError for an unknown case and UnknownServiceError for a service not chosen', async () => {
    const c = await newCase();

    await expect(issue('c-nosuchcase234', [ESTABLISHMENT])).rejects.toMatchObject({
      name: 'CaseNotFoundError',
    });
    await expect(issue(c.caseId, ['employer-housing-fund-registration'])).rejects.toMatchObject({
      name: 'UnknownServiceError',
    });
    await expect(handler({ caseId: c.caseId }, lambdaContext('issue-licenses'))).rejects.toMatchObject({
      name: 'InvalidTaskInputError',
    });
  });
});
