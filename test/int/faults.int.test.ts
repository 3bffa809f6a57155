/**
 * A dependency failing in the middle of a request (fault injected at the adapter, in this worker's
 * copy of the handler) gives a clean 503 problem and leaves no partial write; a retry with the
 * same Idempotency-Key completes the job.
 */
import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { faults } from '#adapters/dynamodb/send.ts';
import { s3Faults } from '#adapters/s3/client.ts';
import { sfn } from '#adapters/sfn/workflow.ts';
import { handler as getMaterial } from '#functions/get-material.handler.ts';
import { handler as submitCase } from '#functions/submit-case.handler.ts';
import { applicantContext, buildApplication, DEFAULT_ORGANISATION, pdfBytes, sha256 } from '../e2e/portal.ts';
import { call, target } from '../e2e/target.ts';
import { invoke, proxyEvent } from '../support/lambda-events.ts';

/** The organisation that applies for 企业开办 (buildApplication's default for it), through portal A. */
const APPLICANT = () => applicantContext(DEFAULT_ORGANISATION, 'portal-a');
const submitEvent = (body: unknown, key: string) =>
  proxyEvent({
    method: 'POST',
    path: '/v1/cases',
    resource: '/v1/cases',
    body,
    headers: { 'idempotency-key': key },
    authorizer: APPLICANT(),
  });

afterEach(() => {
  faults.before = undefined;
  s3Faults.before = undefined;
});

describe('dependency failures mid-request', () => {
  it('answers 503 and writes nothing when DynamoDB fails at the transaction', async () => {
    const application = await buildApplication('enterprise-opening', [
      'enterprise-establishment-registration',
    ]);
    const key = randomUUID();
    faults.before = (command) => {
      if ((command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand')
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    const res = await invoke(submitCase, submitEvent(application, key));
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).not.toContain('socket'); // no internals
    expect(await caseRepository.caseIdForIdempotencyKey('portal-a', key)).toBeUndefined();

    faults.before = undefined;
    const retry = await invoke(submitCase, submitEvent(application, key));
    expect(retry.status).toBe(201);
  });

  it('answers 503 when the workflow cannot start, and the retry starts it for the same case', async () => {
    const application = await buildApplication('enterprise-opening', [
      'enterprise-establishment-registration',
    ]);
    const key = randomUUID();
    const original = sfn.send.bind(sfn);
    sfn.send = (async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
    }) as typeof sfn.send;
    try {
      const res = await invoke(submitCase, submitEvent(application, key));
      expect(res.status).toBe(503);
    } finally {
      sfn.send = original;
    }
    // The case is whole (written in one transaction) but has no execution yet; the retry starts it.
    const stored = await caseRepository.get((await caseRepository.caseIdForIdempotencyKey('portal-a', key))!);
    expect(stored?.status).toBe('submitted');
    const executionArn = `${process.env.STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:${stored!.caseId}`;
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    const retry = await invoke(submitCase, submitEvent(application, key));
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(stored?.caseId);
    // Named by the case id, nothing recorded on the case: the execution is found by its name.
    const started = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(started.executionArn).toBe(executionArn);
  });

  it('answers 503 when S3 fails during verification and keeps the material unverified', async () => {
    const bytes = pdfBytes();
    const created = await call('POST', '/v1/materials', {
      headers: { 'x-api-key': target().credentials.portals[0]!.apiKey },
      body: {
        bundleId: 'enterprise-opening',
        type: 'articles-of-association',
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: sha256(bytes),
      },
    });
    const { url, method, headers } = created.body.upload;
    await fetch(url, { method, headers, body: bytes });
    const id = created.body.id as string;
    const event = proxyEvent({
      method: 'GET',
      path: `/v1/materials/${id}`,
      resource: '/v1/materials/{materialId}',
      pathParameters: { materialId: id },
      authorizer: APPLICANT(),
    });
    s3Faults.before = () => {
      throw Object.assign(new Error('503 Slow Down'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      });
    };
    const res = await invoke(getMaterial, event);
    expect(res.status).toBe(503);
    s3Faults.before = undefined;
    const after = await invoke(getMaterial, event);
    expect(after.body.status).toBe('verified');
  });
});
