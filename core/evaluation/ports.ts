/** What the evaluation use cases need from storage (adapters/dynamodb/evaluation-store.ts). */
import type { TimelineEntry } from '../case/model.ts';
import type { InquiryRecord, RatingRecord, RectificationRecord } from './model.ts';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Whose data: a person by ID number, an organisation by credit code. */
export type DataSubject =
  | { readonly kind: 'person'; readonly idNumber: string }
  | { readonly kind: 'organisation'; readonly uscc: string };

export interface EvaluationStore {
  /**
   * The rating, every rectification it opens and the case's timeline entry, in ONE transaction,
   * conditional on the case having no rating yet: false (nothing written) when it has one.
   */
  createRating(
    rating: RatingRecord,
    rectifications: readonly RectificationRecord[],
    timeline: TimelineEntry,
  ): Promise<boolean>;
  getRating(caseId: string): Promise<RatingRecord | undefined>;
  getRectification(rectificationId: string): Promise<RectificationRecord | undefined>;
  /** Records the completion iff the rectification is still open; false when it is not. */
  completeRectification(
    current: RectificationRecord,
    completion: NonNullable<RectificationRecord['completion']>,
  ): Promise<boolean>;
  /** A department's rectifications, open ones first (earliest due), then completed. */
  departmentRectifications(departmentId: string, page: PageRequest): Promise<Page<RectificationRecord>>;
  /** Every open rectification (supervision), earliest due first, at most `max`. */
  openRectifications(max: number): Promise<RectificationRecord[]>;

  /** The inquiry and its index entries, in one transaction. */
  createInquiry(inquiry: InquiryRecord): Promise<void>;
  getInquiry(inquiryId: string): Promise<InquiryRecord | undefined>;
  /** Records the answer iff the inquiry is still open; false when it is not. */
  answerInquiry(current: InquiryRecord, answer: NonNullable<InquiryRecord['answer']>): Promise<boolean>;
  /** A department's inquiries, open ones first (earliest due), then answered. */
  departmentInquiries(departmentId: string, page: PageRequest): Promise<Page<InquiryRecord>>;
  /** An applicant's inquiries, newest first: through `portalId` and by the hotline. */
  applicantInquiries(applicantKey: string, portalId: string, page: PageRequest): Promise<Page<InquiryRecord>>;
  /** Open inquiries due before `before` (supervision), earliest first, at most `max`. */
  openInquiriesDueBefore(before: string, max: number): Promise<InquiryRecord[]>;

  /** The keyed identifier of an applicant (HMAC under the city's secret). */
  applicantKey(whose: DataSubject): Promise<string>;
}
