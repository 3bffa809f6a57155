/**
 * 12345 一号服务: consultations, complaints and suggestions about a case or a bundle, from an
 * applicant through a portal or from a hotline operator on the applicant's behalf. Each goes to
 * the department responsible — for a case, the one holding its current open task (else its lead);
 * for a bundle, its lead — with a deadline in working days by kind; the department answers once.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { ApplicantSchema } from '../case/applicant.ts';
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import { ownCase } from '../case/ownership.ts';
import type { CaseRepository } from '../case/ports.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { type ApplicantIdentity, dataSubjectOf } from '../identity/applicant.ts';
import { crockfordBase32 } from '../identity/keyed-ids.ts';
import type { PlaceIndex } from '../places/places.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { addWorkingDays } from '../time/working-days.ts';
import { INQUIRY_KINDS, type InquiryRecord } from './model.ts';
import type { DataSubject, EvaluationStore } from './ports.ts';
import { leadDepartmentOf, placeOfCase } from './rating.ts';
import { INQUIRY_WORKING_DAYS } from './scale.ts';

export const InquiryRequestSchema = /* @__PURE__ */ (() =>
  z.object({
    kind: z
      .enum(INQUIRY_KINDS)
      .check(
        z.describe(
          `consultation (咨询, answered within ${INQUIRY_WORKING_DAYS.consultation} working day), complaint (投诉, ${INQUIRY_WORKING_DAYS.complaint}), suggestion (建议, ${INQUIRY_WORKING_DAYS.suggestion}).`,
        ),
      ),
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
    caseId: z
      .optional(z.string().check(z.minLength(1), z.maxLength(100)))
      .check(z.describe('The case it is about (one of the applicant’s).')),
    bundleId: z
      .optional(z.string().check(z.minLength(1), z.maxLength(100)))
      .check(z.describe('The bundle it is about (implied by caseId).')),
  }))();
export type InquiryRequest = z.output<typeof InquiryRequestSchema>;

/** A hotline operator's inquiry names the applicant who called (and whose case it may be about). */
export const HotlineInquiryRequestSchema = /* @__PURE__ */ (() =>
  z.extend(InquiryRequestSchema, {
    applicant: z
      .discriminatedUnion('kind', [
        z.pick(ApplicantSchema.def.options[0], { kind: true, name: true, idNumber: true }),
        z.pick(ApplicantSchema.def.options[1], { kind: true, name: true, uscc: true }),
      ])
      .check(z.describe('Who called 12345: a person by ID number, or an organisation by credit code.')),
  }))();
export type HotlineInquiryRequest = z.output<typeof HotlineInquiryRequestSchema>;

export const InquiryAnswerSchema = /* @__PURE__ */ (() =>
  z.object({
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
  }))();

/** A new inquiry id: random, `q-` + 128 bits. */
export const newInquiryId = () => `q-${crockfordBase32(randomBytes(16)).toLowerCase()}`;

export interface InquiryDeps {
  readonly cases: Pick<CaseRepository, 'view'>;
  readonly store: EvaluationStore;
  readonly catalog: CatalogIndex;
  readonly places: PlaceIndex;
  now(): Date;
}

/**
 * The department answerable for an inquiry about a case: the one holding its current open task —
 * the lead when it is among several (parallel reviews), else the earliest due — or the lead.
 */
export function departmentForCase(lead: string, tasks: readonly TaskRecord[]): string {
  const open = tasks
    .filter((t) => t.status === 'pending' && t.kind !== 'supplement')
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const holders = new Set(open.map((t) => t.departmentId));
  if (holders.size === 0 || holders.has(lead)) return lead;
  return open[0]!.departmentId;
}

const sameSubject = (a: DataSubject, b: DataSubject) =>
  a.kind === 'person'
    ? b.kind === 'person' && a.idNumber === b.idNumber
    : b.kind === 'organisation' && a.uscc === b.uscc;

type From =
  | { readonly channel: 'portal'; readonly portalId: string; readonly applicant: ApplicantIdentity }
  | { readonly channel: 'hotline'; readonly applicant: DataSubject };

/**
 * Use case: ask (12345).
 *  1. About a case: it must be the applicant's (through the portal: the portal's case of the
 *     signed-in applicant; by the hotline: a case of the applicant named) — else 404; a bundleId
 *     beside it must be the case's. About a bundle: it must be in the catalog. One of them is needed.
 *  2. Route it: the case's current department (else its lead), or the bundle's lead.
 *  3. Due in working days by kind; stored with its index entries in one transaction.
 */
export async function askInquiry(
  deps: InquiryDeps,
  input: { readonly from: From; readonly request: InquiryRequest },
): Promise<InquiryRecord> {
  const { request, from } = input;
  const whose = from.channel === 'portal' ? dataSubjectOf(from.applicant) : from.applicant;
  let subject: { bundleId: string; caseId?: string; departmentId: string; placeId: string };
  if (request.caseId) {
    const view = await deps.cases.view(request.caseId);
    const mine = view
      ? from.channel === 'portal'
        ? ownCase(view.record, from)
        : sameSubject(subjectOfCase(view.record), whose)
          ? view.record
          : undefined
      : undefined;
    if (!view || !mine) throw new NotFoundError(`There is no case "${request.caseId}" of this applicant.`);
    if (request.bundleId && request.bundleId !== view.record.bundleId)
      throw new ValidationError([
        {
          path: '/bundleId',
          code: 'bundle_mismatch',
          message: `Case "${request.caseId}" is of bundle "${view.record.bundleId}".`,
        },
      ]);
    const lead = leadDepartmentOf(deps, view.record, view.tasks);
    subject = {
      bundleId: view.record.bundleId,
      caseId: view.record.caseId,
      departmentId: departmentForCase(lead, view.tasks),
      placeId: placeOfCase(deps.places, view.record),
    };
  } else if (request.bundleId) {
    const bundle = deps.catalog.bundles.get(request.bundleId);
    if (!bundle)
      throw new ValidationError([
        { path: '/bundleId', code: 'unknown_bundle', message: `There is no bundle "${request.bundleId}".` },
      ]);
    subject = {
      bundleId: bundle.id,
      departmentId: bundle.leadDepartmentId,
      placeId: deps.places.city.id,
    };
  } else
    throw new ValidationError([
      {
        path: '/caseId',
        code: 'subject_required',
        message: 'Say what the inquiry is about: a caseId (one of yours) or a bundleId.',
      },
    ]);

  const now = deps.now();
  const inquiry: InquiryRecord = {
    inquiryId: newInquiryId(),
    kind: request.kind,
    text: request.text,
    status: 'open',
    channel: from.channel,
    ...(from.channel === 'portal' ? { portalId: from.portalId } : {}),
    applicantKey: await deps.store.applicantKey(whose),
    ...subject,
    createdAt: now.toISOString(),
    dueAt: addWorkingDays(now, INQUIRY_WORKING_DAYS[request.kind]).toISOString(),
  };
  await deps.store.createInquiry(inquiry);
  return inquiry;
}

function subjectOfCase(record: Pick<CaseRecord, 'applicant'>): DataSubject {
  const a = record.applicant;
  return a.kind === 'person'
    ? { kind: 'person', idNumber: a.idNumber }
    : { kind: 'organisation', uscc: a.uscc };
}

/**
 * The inquiry as its asker may see it: through the portal it came in by (or any portal, for one
 * asked by the hotline) and only by the applicant it is from; anyone else's is a missing one.
 */
export async function applicantsInquiry(
  store: EvaluationStore,
  inquiryId: string,
  caller: { readonly portalId: string; readonly applicant: ApplicantIdentity },
): Promise<InquiryRecord> {
  const inquiry = await store.getInquiry(inquiryId);
  const mine =
    inquiry &&
    (inquiry.channel === 'hotline' || inquiry.portalId === caller.portalId) &&
    inquiry.applicantKey === (await store.applicantKey(dataSubjectOf(caller.applicant)));
  if (!inquiry || !mine) throw new NotFoundError(`There is no inquiry "${inquiryId}" of yours.`);
  return inquiry;
}

/**
 * Use case: answer an inquiry.
 *  1. It must exist (404) and be routed to the caller's department (403).
 *  2. Once: an answered inquiry is 409.
 */
export async function answerInquiry(
  deps: { readonly store: EvaluationStore; now(): Date },
  input: { readonly departmentId: string; readonly inquiryId: string; readonly text: string },
): Promise<InquiryRecord> {
  const current = await deps.store.getInquiry(input.inquiryId);
  if (!current) throw new NotFoundError(`There is no inquiry "${input.inquiryId}".`);
  if (current.departmentId !== input.departmentId)
    throw new ForbiddenError('A department answers only the inquiries routed to it.');
  if (current.status !== 'open') throw new ConflictError('This inquiry is answered already.');
  const answer = { text: input.text, answeredAt: deps.now().toISOString(), departmentId: input.departmentId };
  if (!(await deps.store.answerInquiry(current, answer)))
    throw new ConflictError('This inquiry is answered already.');
  return { ...current, status: 'answered', answer };
}

/** Whether an open inquiry is past its deadline at `now`. */
export const isInquiryOverdue = (q: Pick<InquiryRecord, 'status' | 'dueAt'>, now: Date) =>
  q.status === 'open' && Date.parse(q.dueAt) < now.getTime();
