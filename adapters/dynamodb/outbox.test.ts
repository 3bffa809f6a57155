/**
 * The outbox items the case repository writes (issue #14): no backlog index keys — the table's
 * stream hands them to fan-out, nothing reads a gsi2 OUTBOX partition — and a case event names
 * the case's portal when the writer knows it, read back from the stream image as it was written.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '#core/case/model.ts';
import { thinEvent } from '#core/webhooks/events.ts';
import { matchesPattern } from '../../local/stream-poller.ts';
import {
  createdOutbox,
  OUTBOX_STREAM_FILTER,
  outboxEventFromImage,
  outboxItem,
  transitionOutbox,
} from './outbox.ts';

// The items name their table: the configuration a function would have (no store is called here).
Object.assign(process.env, {
  TABLE_NAME: process.env.TABLE_NAME ?? 'yijianshi-test',
  BUCKET_NAME: process.env.BUCKET_NAME ?? 'yijianshi-test-files',
  CITY_ID: process.env.CITY_ID ?? 'changzhou',
  CATALOG_FILE: process.env.CATALOG_FILE ?? 'cities/changzhou/catalog.json',
});

const AT = '2025-03-01T08:00:00.000Z';
const itemOf = (put: { Put: { Item: Record<string, unknown> } }) => put.Put.Item;

describe('outbox items', () => {
  it('carry no index keys: no gsi2 backlog partition to write, and none to leave', () => {
    const items = [
      outboxItem({
        eventId: 'e-1',
        eventType: 'case.status_changed',
        caseId: 'c-1',
        status: 'submitted',
        occurredAt: AT,
      }),
      itemOf(createdOutbox('c-1', 'submitted', AT, 'portal-a')),
      ...transitionOutbox('c-1', ['submitted'], 'in_review', AT).map(itemOf),
    ];
    for (const item of items) {
      expect(Object.keys(item).filter((k) => /^gsi\d/.test(k))).toEqual([]);
      expect(item).toMatchObject({ pk: 'OUTBOX#c-1', type: 'outbox' });
    }
  });

  it('name the portal of a new case, and of a transition given the case it was read as', () => {
    expect(itemOf(createdOutbox('c-1', 'submitted', AT, 'portal-a'))).toMatchObject({ portalId: 'portal-a' });
    const readAs = { caseId: 'c-1', portalId: 'portal-b' } as CaseRecord;
    expect(itemOf(transitionOutbox('c-1', ['submitted'], 'in_review', AT, readAs)[0]!)).toMatchObject({
      portalId: 'portal-b',
      previousStatus: 'submitted',
    });
    // Without the record, or with another case's, the event does not say: fan-out reads the case.
    expect(itemOf(transitionOutbox('c-1', ['submitted'], 'in_review', AT)[0]!)).not.toHaveProperty(
      'portalId',
    );
    expect(
      itemOf(transitionOutbox('c-1', ['submitted'], 'in_review', AT, { ...readAs, caseId: 'c-2' })[0]!),
    ).not.toHaveProperty('portalId');
    // No status change, no event.
    expect(transitionOutbox('c-1', ['in_review'], 'in_review', AT, readAs)).toEqual([]);
  });

  it('come back from the stream image as written, and pass the stream filter; the thin event leaves the portal out', () => {
    const item = itemOf(createdOutbox('c-1', 'submitted', AT, 'portal-a'));
    const NewImage = marshall(item);
    const event = outboxEventFromImage(NewImage as Parameters<typeof outboxEventFromImage>[0]);
    expect(event).toMatchObject({ eventType: 'case.status_changed', caseId: 'c-1', portalId: 'portal-a' });
    expect(matchesPattern({ eventName: 'INSERT', dynamodb: { NewImage } }, OUTBOX_STREAM_FILTER)).toBe(true);
    expect(matchesPattern({ eventName: 'REMOVE', dynamodb: { NewImage } }, OUTBOX_STREAM_FILTER)).toBe(false);
    expect(JSON.stringify(thinEvent(event!, 'https://api.example.cn'))).not.toContain('portal-a');
  });
});
