/**
 * A material is looked at again when it is attached to a case (issue 10, defect 10): bytes
 * replaced in storage after verification — another size, or the same size with other content —
 * are refused as `material_changed` in the 422, at submission and at supplement, never served as
 * the verified file. The bytes are replaced with the storage's own credentials (as anyone with
 * write access to the bucket could), not through the presigned URL, which refuses to overwrite.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { getMaterial } from '#adapters/dynamodb/material-store.ts';
import { bucket, s3 } from '#adapters/s3/client.ts';
import {
  buildApplication,
  caseAuth,
  decide,
  eventually,
  getCase,
  pdfBytes,
  pendingTask,
  portalKey,
  submit,
  uploadMaterial,
} from '../e2e/portal.ts';
import { call, target } from '../e2e/target.ts';

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration'];
const LEAD = 'market-regulation';
const portalId = () => target().credentials.portals[0]!.id;

/** Asks for the material (which judges its bytes) and expects it verified. */
async function verified(materialId: string) {
  const res = await call('GET', `/v1/materials/${materialId}`, { headers: portalKey() });
  expect(res.body.status).toBe('verified');
}

/** Replaces the stored bytes of a material directly in the bucket. */
async function overwrite(materialId: string, bytes: Buffer) {
  const material = (await getMaterial(portalId(), materialId))!;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: material.s3Key,
      Body: bytes,
      ContentType: 'application/pdf',
    }),
  );
}

/** Other bytes of exactly the same length as `pdfBytes(label)`. */
type Label = ReturnType<typeof randomUUID>;
const sameSizeOther = (label: Label) => {
  const other = pdfBytes(label.replace(/[0-9a-f]/g, 'x') as Label);
  expect(other.length).toBe(pdfBytes(label).length);
  return other;
};

describe('attaching a material whose stored bytes changed since verification', () => {
  it('refuses the submission with material_changed, for another size and for the same size', async () => {
    // Prepare: two verified materials of the application, then both replaced in storage.
    const app = await buildApplication(BUNDLE, SERVICES);
    const [first, second] = [app.materials[0]!, app.materials[1]!];
    await verified(first.materialId);
    await verified(second.materialId);
    await overwrite(first.materialId, Buffer.concat([pdfBytes(), Buffer.from('% appended\n')]));
    await overwrite(second.materialId, sameSizeOther(randomUUID()));

    // Act
    const key = randomUUID();
    const res = await submit(app, key);

    // Assess: both named, and no case written.
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`).sort()).toEqual([
      'material_changed /materials/0/materialId',
      'material_changed /materials/1/materialId',
    ]);
    expect((await submit(app, key)).status).toBe(422); // still nothing to replay
  });

  it('refuses the supplement with material_changed and leaves the correction open', async () => {
    // Prepare: a case awaiting a correction of one material, and a replacement verified then overwritten.
    const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    const type = 'premises-use-proof';
    await decide(acceptance.id, LEAD, {
      outcome: 'correct',
      opinion: '请补正',
      corrections: [{ materialType: type, message: '请重新上传' }],
    });
    await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'awaiting_correction',
      'awaiting_correction',
    );
    const label = randomUUID();
    const replacement = await uploadMaterial(BUNDLE, type, pdfBytes(label));
    await verified(replacement);
    await overwrite(replacement, sameSizeOther(label));

    // Act
    const res = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { materials: [{ type, materialId: replacement }] },
    });

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['material_changed']);
    const after = await getCase(caseId);
    expect(after.body.status).toBe('awaiting_correction');
    expect(after.body.materials).not.toContainEqual(expect.objectContaining({ materialId: replacement }));
  });
});
