/**
 * What the platform records about reads of an applicant's personal data (PIPL: records of
 * processing; Estonia's Data Tracker): who read it, for which department or portal, when and
 * why — and the consents an applicant gave for prefill. Pure types and ports; the table adapter
 * is adapters/dynamodb/privacy-store.ts.
 */
import type { PrefillApplicant } from '../catalog/prefill.ts';

/**
 * Who read the data: a portal (prefill, for the applicant), a department (task detail), the
 * supervisor — or a helper who acted for the applicant under an authorisation (帮办代办; `id` is
 * the helper's pseudonymous subject, the purpose names the authorisation).
 */
export interface AccessActor {
  readonly kind: 'portal' | 'department' | 'supervisor' | 'helper';
  readonly id: string;
}

export interface AccessEntry {
  readonly at: string;
  readonly actor: AccessActor;
  /** Why, in the platform's words: `prefill:<bundleId>`, `task:<taskId>`, `material:<taskId>`, `authorisation:<id>`… */
  readonly purpose: string;
  readonly caseId?: string;
}

export interface Consent {
  readonly id: string;
  readonly portalId: string;
  /** The token's subject who consented (a pseudonym). */
  readonly subject: string;
  readonly purpose: { readonly bundleId: string; readonly services: readonly string[] };
  readonly fields: readonly string[];
  readonly expiresAt: string;
  readonly recordedAt: string;
}

export interface PrivacyPort {
  /** Records a read of `whose` data; visible to them at once (GET /v1/me/access-log). */
  recordAccess(whose: PrefillApplicant, entry: AccessEntry): Promise<void>;
  /**
   * Records several reads of `whose` data at once (a task view and its download links): in one
   * write where the store can, every entry recorded or an error — never some silently dropped.
   */
  recordAccesses(whose: PrefillApplicant, entries: readonly AccessEntry[]): Promise<void>;
  listAccess(
    whose: PrefillApplicant,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<{ items: AccessEntry[]; nextCursor?: string }>;
  recordConsent(whose: PrefillApplicant, consent: Consent): Promise<void>;
  /**
   * Counts one lookup by `subject` in the current hour; false (nothing counted) when `limit` were
   * already made — with the seconds until the hour ends.
   */
  takeLookup(
    subject: string,
    limit: number,
    now: Date,
  ): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }>;
}
