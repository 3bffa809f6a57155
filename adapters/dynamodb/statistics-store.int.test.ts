/**
 * The counters are exact under a race: a case becoming final is counted from the record as it was
 * read, in a transaction conditional on that record's version — so a write to the case that lands
 * between the read and the transaction (here: a correction round recorded meanwhile) makes the
 * repository read and count again, never count the stale record. Against DynamoDB Local; each test
 * uses a bundle id of its own, so its cell moves only with its case.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { dynamo } from '#adapters/dynamodb/client.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { keys } from '#adapters/dynamodb/keys.ts';
import { send } from '#adapters/dynamodb/send.ts';
import { cellCounters } from '#adapters/dynamodb/statistics-store.ts';
import { chinaDate } from '#core/time/working-days.ts';
import { caseRecord } from '#test/support/in-memory-cases.ts';
import { newIdNumber } from '../../test/e2e/portal.ts';

const PLANT = 'plant-concurrent-write';
afterEach(() => {
  dynamo.middlewareStack.remove(PLANT);
});

/** A case under review of a bundle nobody else counts in. */
async function caseInReview() {
  const now = new Date();
  const record = caseRecord({
    caseId: `c-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    bundleId: `stats-race-${randomUUID()}`,
    status: 'in_review',
    applicant: { kind: 'person', name: '张三', idNumber: newIdNumber(), phone: '13800000000' },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    dueAt: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
  });
  const at = now.toISOString();
  expect(
    await caseRepository.create(record, { at, event: 'submitted' }, { actor: 'test', action: 'submit' }),
  ).toBe(true);
  return record;
}

const today = () => chinaDate(new Date());
const counted = (bundleId: string) =>
  cellCounters({ dimension: 'bundle', value: bundleId }, { from: today(), to: today(), days: 1 });

const issue = (caseId: string) =>
  caseRepository.transition(
    caseId,
    ['in_review'],
    { status: 'issued' },
    { at: new Date().toISOString(), event: 'issued' },
    { actor: 'test', action: 'issue' },
  );

describe('counting a case that becomes final', () => {
  it('counts it once, in the transaction that ends it', async () => {
    const record = await caseInReview();
    expect(await counted(record.bundleId)).toEqual({ submitted: 1 });
    expect(await issue(record.caseId)).toBe(true);
    expect(await issue(record.caseId)).toBe(false); // a replayed step changes nothing, counts nothing
    expect(await counted(record.bundleId)).toMatchObject({
      submitted: 1,
      finals: 1,
      issued: 1,
      issuedFirstTime: 1,
      decided: 1,
    });
  });

  it('counts again from the record a concurrent write left, never from the stale one', async () => {
    const record = await caseInReview();
    // Between the repository's read and its transaction, another write records a correction round
    // (the case went to awaiting_correction and back, in effect): the status is still in_review.
    let planted = false;
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        // The transaction that ends the case: it updates the case and counters (STATS# items).
        const items = (args.input as { TransactItems?: { Update?: { Key?: Record<string, unknown> } }[] })
          .TransactItems;
        const pk = (i: { Update?: { Key?: Record<string, unknown> } }) => {
          const v = i.Update?.Key?.pk as string | { S?: string } | undefined;
          return typeof v === 'string' ? v : (v?.S ?? '');
        };
        const ends =
          items?.some((i) => pk(i) === keys.casePk(record.caseId)) &&
          items.some((i) => pk(i).startsWith('STATS#'));
        if (ends && !planted) {
          planted = true;
          await send(
            new UpdateCommand({
              TableName: process.env.TABLE_NAME,
              Key: keys.case(record.caseId),
              UpdateExpression: 'SET correctionRound = :one, #version = #version + :one',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: PLANT },
    );

    expect(await issue(record.caseId)).toBe(true);

    expect(planted).toBe(true);
    const c = await counted(record.bundleId);
    expect(c).toMatchObject({ issued: 1, correctionRounds: 1, finalsWithCorrection: 1 });
    expect(c.issuedFirstTime).toBeUndefined();
    expect((await caseRepository.get(record.caseId))?.status).toBe('issued');
  });
});

describe('counting 好差评 and 12345 in their own transactions', () => {
  it('counts a rating, its rectification and an answered inquiry once each, whatever is retried', async () => {
    const bundleId = `stats-eval-${randomUUID()}`;
    const caseId = `c-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const now = new Date().toISOString();
    const rect = {
      rectificationId: `${caseId}.rect.tax`,
      caseId,
      bundleId,
      placeId: 'changzhou',
      departmentId: 'tax',
      reasons: ['department' as const],
      score: 1,
      status: 'open' as const,
      createdAt: now,
      dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    };
    const rating = {
      caseId,
      portalId: 'portal-a',
      bundleId,
      placeId: 'changzhou',
      caseStatus: 'issued' as const,
      overall: 2,
      leadDepartmentId: 'market-regulation',
      departments: [{ departmentId: 'tax', score: 1 }],
      createdAt: now,
      rectificationIds: [rect.rectificationId],
    };
    const timeline = { at: now, event: 'rated' };
    expect(await evaluationStore.createRating(rating, [rect], timeline)).toBe(true);
    expect(await evaluationStore.createRating(rating, [rect], timeline)).toBe(false); // one rating per case
    const completion = {
      action: '已整改',
      followUp: { contacted: true, satisfied: true, note: '' },
      completedAt: new Date().toISOString(),
    };
    expect(await evaluationStore.completeRectification(rect, completion)).toBe(true);
    expect(await evaluationStore.completeRectification(rect, completion)).toBe(false);
    const inquiry = {
      inquiryId: `q-${randomUUID()}`,
      kind: 'complaint' as const,
      text: '办理时间太长',
      status: 'open' as const,
      channel: 'portal' as const,
      portalId: 'portal-a',
      applicantKey: `k-${randomUUID()}`,
      caseId,
      bundleId,
      placeId: 'changzhou',
      departmentId: 'tax',
      createdAt: now,
      dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    };
    await evaluationStore.createInquiry(inquiry);
    const answer = { text: '已答复', answeredAt: now, departmentId: 'tax' };
    expect(await evaluationStore.answerInquiry(inquiry, answer)).toBe(true);
    expect(await evaluationStore.answerInquiry(inquiry, answer)).toBe(false);

    expect(await counted(bundleId)).toEqual({
      ratings: 1,
      badRatings: 1,
      rectificationsOpened: 1,
      rectificationsCompleted: 1,
      rectificationsFollowUpSatisfied: 1,
      inquiries: 1,
      complaints: 1,
      inquiriesAnswered: 1,
    });
    const tax = await cellCounters(
      { dimension: 'bundle-department', value: `${bundleId}/tax` },
      { from: today(), to: today(), days: 1 },
    );
    expect(tax).toMatchObject({ ratings: 1, badRatings: 1, rectificationsOpened: 1, inquiries: 1 });
  });
});

describe('the counter items of a case write', () => {
  it('puts at most three in each transaction of a 企业开办 case, and reads its departments back from them', async () => {
    // A day of its own (far in the future): nothing else counts in it, so the reads are exact.
    const day = `20${40 + Math.floor(Math.random() * 50)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const services = catalog().bundle('enterprise-opening').services;
    const record = caseRecord({
      caseId: `c-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      bundleId: 'enterprise-opening',
      services: services.map((s) => s.id),
      status: 'in_review',
      applicant: { kind: 'person', name: '张三', idNumber: newIdNumber(), phone: '13800000000' },
      createdAt: `${day}T01:00:00.000Z`,
      updatedAt: `${day}T01:00:00.000Z`,
      dueAt: `${day}T15:59:59.999Z`,
    });
    // The STATS items of each transaction that writes the case.
    const counterItemsPerWrite: number[] = [];
    type Item = { Put?: { Item?: Record<string, unknown> }; Update?: { Key?: Record<string, unknown> } };
    const pk = (i: Item) => {
      const v = (i.Put?.Item?.pk ?? i.Update?.Key?.pk) as string | { S?: string } | undefined;
      return typeof v === 'string' ? v : (v?.S ?? '');
    };
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        const items = (args.input as { TransactItems?: Item[] }).TransactItems;
        if (items?.some((i) => pk(i) === keys.casePk(record.caseId)))
          counterItemsPerWrite.push(items.filter((i) => pk(i).startsWith('STATS#')).length);
        return next(args);
      },
      { step: 'initialize', name: PLANT },
    );

    const at = `${day}T01:00:00.000Z`;
    expect(
      await caseRepository.create(record, { at, event: 'submitted' }, { actor: 'test', action: 'submit' }),
    ).toBe(true);
    expect(
      await caseRepository.transition(
        record.caseId,
        ['in_review'],
        { status: 'issued' },
        { at: `${day}T06:00:00.000Z`, event: 'issued' },
        { actor: 'test', action: 'issue' },
      ),
    ).toBe(true);

    expect(counterItemsPerWrite).toEqual([3, 3]); // the city, the bundle, the place (15 each, before)
    const period = { from: day, to: day, days: 1 };
    const once = { submitted: 1, finals: 1, issued: 1, issuedFirstTime: 1, decided: 1 };
    expect(await cellCounters({ dimension: 'bundle', value: 'enterprise-opening' }, period)).toMatchObject(
      once,
    );
    for (const d of services.map((s) => s.departmentId)) {
      expect(await cellCounters({ dimension: 'department', value: d }, period), d).toMatchObject(once);
      expect(
        await cellCounters({ dimension: 'bundle-department', value: `enterprise-opening/${d}` }, period),
        d,
      ).toMatchObject(once);
    }
    expect(await cellCounters({ dimension: 'department', value: 'health' }, period)).toEqual({});

    // A department's item as the one-item-per-cell layout wrote it (before an upgrade) still counts.
    await send(
      new PutCommand({
        TableName: process.env.TABLE_NAME,
        Item: { pk: 'STATS#department#tax', sk: `${day}#5`, type: 'statistics', submitted: 2 },
      }),
    );
    expect(await cellCounters({ dimension: 'department', value: 'tax' }, period)).toMatchObject({
      ...once,
      submitted: 3,
    });
  });
});
