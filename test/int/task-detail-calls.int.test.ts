/**
 * A department's task view costs two storage calls (issue #14): one Query of the case's partition
 * for the task, its case and the case's other tasks, and one BatchWriteItem for both access-log
 * entries — whatever the number of materials, whose download links are presigned from the file
 * facts the submission recorded on the case. A case submitted before those facts were recorded
 * still gets its links (one read per material). The handler runs in this process, so every call
 * it makes is seen (adapters/aws-call-recorder.ts); the case itself goes through the local stack.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RecordedCall, runAsFunction, startAwsCallRecording } from '#adapters/aws-call-recorder.ts';
import { config } from '#adapters/config.ts';
import { caseWithLicenses } from '#adapters/dynamodb/case-reads.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { UpdateCommand } from '#adapters/dynamodb/commands.ts';
import { keys } from '#adapters/dynamodb/keys.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { privacyStore } from '#adapters/dynamodb/privacy-store.ts';
import { send } from '#adapters/dynamodb/send.ts';
import type { CaseRecord } from '#core/case/model.ts';
import { handler as getTask } from '../../functions/get-task.handler.ts';
import { buildApplication, getCase, pendingTask, submit } from '../e2e/portal.ts';
import { invoke, proxyEvent } from '../support/lambda-events.ts';
import { caseWithReview } from '../support/planted-cases.ts';

/** Makes the next BatchWriteItem calls leave puts unprocessed, as DynamoDB does under throttling. */
const throttle = vi.hoisted(() => ({ leaveUnprocessed: 0, always: false }));
vi.mock('#adapters/dynamodb/send.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('#adapters/dynamodb/send.ts')>();
  type Batch = { input?: { RequestItems?: Record<string, { PutRequest: unknown }[]> } };
  return {
    ...real,
    // biome-ignore lint/suspicious/noExplicitAny: the same signature as the real send
    async send<T>(command: any): Promise<T> {
      const requests = (command as Batch).input?.RequestItems;
      const batchWrite =
        requests !== undefined &&
        Object.values(requests).some((list) => Array.isArray(list) && list.some((r) => 'PutRequest' in r));
      if (!batchWrite || (!throttle.always && throttle.leaveUnprocessed === 0)) return real.send<T>(command);
      const [table, puts] = Object.entries(requests)[0]!;
      if (throttle.always) return { UnprocessedItems: { [table]: puts } } as T;
      throttle.leaveUnprocessed--;
      // The first put goes through; the rest come back unprocessed.
      command.input.RequestItems = { [table]: puts.slice(0, 1) };
      await real.send(command);
      return { UnprocessedItems: puts.length > 1 ? { [table]: puts.slice(1) } : {} } as T;
    },
  };
});

afterEach(() => {
  throttle.leaveUnprocessed = 0;
  throttle.always = false;
});

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration'];
const LEAD = 'market-regulation';

/** Storage calls among the recorded ones (a presigned URL is made locally: no request). */
const storageCalls = (calls: RecordedCall[]) =>
  calls.filter((c) => !c.commands.every((label) => label.endsWith('(presigned)')));

/** Opens the task as its department would, recording every AWS call the handler makes. */
async function openTask(taskId: string) {
  const recording = startAwsCallRecording();
  try {
    const res = await runAsFunction('functions/get-task.handler.ts', () =>
      invoke(
        getTask,
        proxyEvent({
          method: 'GET',
          path: `/v1/tasks/${taskId}`,
          resource: '/v1/tasks/{taskId}',
          pathParameters: { taskId },
          authorizer: { callerKind: 'department', departmentId: LEAD },
        }),
      ),
    );
    const calls = storageCalls(recording.calls());
    return {
      res,
      count: calls.reduce((n, c) => n + c.count, 0),
      actions: calls.map((c) => `${c.action} ${c.count}`).sort(),
    };
  } finally {
    recording.stop();
  }
}

const whose = (record: CaseRecord) =>
  record.applicant.kind === 'person'
    ? { kind: 'person' as const, idNumber: record.applicant.idNumber }
    : { kind: 'organisation' as const, uscc: record.applicant.uscc };

/** A submitted 企业开办 case with uploaded materials and its open acceptance task. */
async function submittedCase() {
  const app = await buildApplication(BUNDLE, SERVICES);
  expect(app.materials.length).toBeGreaterThan(1);
  const res = await submit(app);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const caseId = res.body.id as string;
  const task = (await pendingTask(LEAD, caseId, 'acceptance')) as { id: string };
  return { caseId, taskId: task.id, uploaded: app.materials.length };
}

describe('a department opening a task', () => {
  it('costs one read and one write, however many materials the case has', async () => {
    // Prepare: the submission recorded each material's file facts on the case (never shown).
    const { caseId, taskId, uploaded } = await submittedCase();
    const record = (await caseRepository.get(caseId))!;
    const withFiles = record.materials.filter((m) => m.materialId);
    expect(withFiles).toHaveLength(uploaded);
    for (const m of withFiles) expect(m.file?.s3Key).toMatch(/^materials\//);
    const shown = await getCase(caseId);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain('s3Key');

    // Act
    const { res, count, actions } = await openTask(taskId);

    // Assess: every material with its link, in two calls; both entries in the access log.
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const links = (res.body.materials as { materialId?: string; downloadUrl?: string }[]).filter(
      (m) => m.materialId,
    );
    expect(links).toHaveLength(uploaded);
    for (const m of links) expect(m.downloadUrl).toMatch(/^https?:\/\//);
    expect(JSON.stringify(res.body)).not.toContain('"s3Key"');
    expect(JSON.stringify(res.body)).not.toContain('"file"');
    expect(actions).toEqual(['dynamodb:BatchWriteItem 1', 'dynamodb:Query 1']);
    expect(count).toBeLessThanOrEqual(2);
    const log = await privacyStore.listAccess(whose(record), { limit: 100 });
    const purposes = log.items.filter((e) => e.caseId === caseId).map((e) => e.purpose);
    expect(purposes.sort()).toEqual([`material:${taskId}`, `task:${taskId}`]);
  });

  it('still links the materials of a case submitted before file facts were recorded, reading each', async () => {
    // Prepare: the case as it was stored before (no file facts on its materials).
    const { caseId, taskId, uploaded } = await submittedCase();
    const record = (await caseRepository.get(caseId))!;
    await send(
      new UpdateCommand({
        TableName: config().TABLE_NAME,
        Key: keys.case(caseId),
        UpdateExpression: 'SET materials = :m',
        ExpressionAttributeValues: { ':m': record.materials.map(({ file: _file, ...m }) => m) },
      }),
    );

    // Act
    const { res, count } = await openTask(taskId);

    // Assess: the same links, one GetItem per material more.
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const links = (res.body.materials as { materialId?: string; downloadUrl?: string; fileName?: string }[])
      .filter((m) => m.materialId)
      .map((m) => [Boolean(m.downloadUrl), m.fileName?.endsWith('.pdf')]);
    expect(links).toEqual(Array.from({ length: uploaded }, () => [true, true]));
    expect(count).toBe(2 + uploaded);
  });

  it('writes the access-log entries DynamoDB left unprocessed again, and answers', async () => {
    // Prepare: the batch comes back with its second entry unprocessed once.
    const { caseId, taskId } = await submittedCase();
    const record = (await caseRepository.get(caseId))!;
    throttle.leaveUnprocessed = 1;

    // Act
    const { res } = await openTask(taskId);

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(throttle.leaveUnprocessed).toBe(0);
    const log = await privacyStore.listAccess(whose(record), { limit: 100 });
    expect(
      log.items
        .filter((e) => e.caseId === caseId)
        .map((e) => e.purpose)
        .sort(),
    ).toEqual([`material:${taskId}`, `task:${taskId}`]);
  });

  it('answers nothing of the applicant when the access log stays throttled', async () => {
    // Prepare
    const { caseId, taskId } = await submittedCase();
    const record = (await caseRepository.get(caseId))!;
    throttle.always = true;

    // Act
    const { res } = await openTask(taskId);

    // Assess: 503, no personal data, nothing half-logged.
    expect(res.status).toBe(503);
    expect(res.body.case).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('downloadUrl');
    const log = await privacyStore.listAccess(whose(record), { limit: 100 });
    expect(log.items.filter((e) => e.caseId === caseId)).toEqual([]);
  });
});

describe('the case with its licenses', () => {
  it('is one read', async () => {
    // Prepare: a planted case with one license recorded.
    const { caseId } = await caseWithReview(LEAD, new Date(Date.now() + 86_400_000).toISOString());
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    const license = {
      licenseId: `l-${randomUUID()}`,
      caseId,
      serviceId: 'invoice-type-approval',
      name: '发票核定',
      departmentId: 'tax',
      documentKey: `licenses/${caseId}/doc.pdf`,
      dataKey: `licenses/${caseId}/data.json`,
      documentSha256: digest('doc'),
      dataSha256: digest('data'),
      verificationCodeDigest: digest('code'),
      signature: 'c2ln',
      algorithm: 'ECDSA_SHA_256',
      keyId: 'local',
      issuedAt: new Date().toISOString(),
    };
    await licenseStore.put(license);

    // Act
    const recording = startAwsCallRecording();
    let read: Awaited<ReturnType<typeof caseWithLicenses>>;
    try {
      read = await caseWithLicenses(caseId);
    } finally {
      recording.stop();
    }

    // Assess
    expect(read.record?.caseId).toBe(caseId);
    expect(read.licenses.map((l) => l.licenseId)).toEqual([license.licenseId]);
    expect(recording.calls().map((c) => `${c.action} ${c.count}`)).toEqual(['dynamodb:Query 1']);
    expect(await caseWithLicenses(`c-${'x'.repeat(24)}`)).toEqual({ record: undefined, licenses: [] });
  });
});
