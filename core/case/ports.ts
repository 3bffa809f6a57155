/** The core's ports: what use cases need from storage, files and the workflow engine. */

import type { IssuedLicense } from '../licenses/ports.ts';
import { DomainError } from '../shared/errors.ts';
import type { MaterialAttachment, MaterialFacts } from './application.ts';
import type { CaseStatus } from './lifecycle.ts';
import type { CaseRecord, Decision, TaskRecord, TimelineEntry } from './model.ts';

export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface CaseView {
  readonly record: CaseRecord;
  readonly tasks: readonly TaskRecord[];
  readonly timeline: readonly TimelineEntry[];
  readonly licenses: readonly LicenseRecord[];
}

export interface LicenseRecord {
  readonly licenseId: string;
  readonly caseId: string;
  readonly serviceId: string;
  readonly name: string;
  readonly departmentId: string;
  readonly documentKey: string;
  /** Only licenses issued before their data was embedded in the document (core/licenses/document.ts). */
  readonly dataKey?: string;
  readonly documentSha256: string;
  readonly signature: string;
  readonly algorithm: string;
  readonly keyId: string;
  readonly issuedAt: string;
}

/**
 * Thrown by a case write that attaches materials when one of them could not be attached (it is
 * part of another case by now, expired, or no longer verified): nothing at all was written.
 */
export class MaterialsUnavailableError extends DomainError {
  readonly code = 'materials_unavailable';
  constructor(
    readonly materialIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Materials ${materialIds.join(', ')} cannot be attached.`, options);
  }
}

/** What else commits with a case transition, all or nothing. */
export interface TransitionEffects {
  /** Verified, unexpired materials attached to the case: each must be free or already this case's. */
  readonly attachMaterials?: readonly string[];
  /** Tasks of the case that must still be pending, set to `status` (with the decision, if any). */
  readonly settleTasks?: readonly {
    readonly task: TaskRecord;
    readonly status: TaskRecord['status'];
    readonly decision?: Decision;
  }[];
  /**
   * The case as the caller has just read it (consistently): a transition that ends the case counts
   * its statistics from this record, conditional on its version, instead of reading it again.
   */
  readonly readAs?: CaseRecord;
  /**
   * Tasks opened by the same write (the next stage, opened with the step that plans it): each
   * must not exist yet. Any condition failing, nothing is written (the caller moves without them).
   */
  readonly openTasks?: readonly { readonly task: TaskRecord; readonly timeline: TimelineEntry }[];
  /**
   * A department's decision written by the same write (the step it completes, planned from a read
   * taken before it): its task must still be pending, that department's and that kind, as
   * `TaskRepository.decide` checks; the case's own condition stands for its check that the case is
   * open. Refused, nothing is written.
   */
  readonly decide?: DecisionWrite;
  /**
   * Licenses recorded by the same write (the delivery that ends the case issued): each as
   * `LicenseStore.put` records it, conditional on no license for its service yet. Refused, nothing
   * is written. At most MAX_LICENSES_PER_TRANSITION.
   */
  readonly recordLicenses?: readonly IssuedLicense[];
  /**
   * Steps the same write records before its own, each its timeline entry and audit (the merge an
   * issue follows when the stage's last decision issues at once: core/flow/issue-and-deliver.ts
   * `issueWithDecision`). Their changes are in the transition's own.
   */
  readonly stepsBefore?: readonly { readonly timeline: TimelineEntry; readonly audit: AuditRecord }[];
}

/** The most licenses one transition records with itself (DynamoDB: 100 items, 2 per license). */
export const MAX_LICENSES_PER_TRANSITION = 40;

/** A decision as `TaskRepository.decide` records it: the task addressed, its outcome, its timeline entry and audit. */
export interface DecisionWrite {
  readonly ref: TaskRef;
  readonly decision: Decision;
  readonly status: TaskRecord['status'];
  readonly timeline: TimelineEntry;
  readonly audit: AuditRecord;
}

export interface CaseRepository {
  /**
   * Case + first timeline entry + audit + outbox event + the attachment of `materials` (each with
   * the verdict it carries, recorded by the same write), in one transaction; false if the case id
   * exists. Throws MaterialsUnavailableError (nothing written) when a material cannot be attached.
   */
  create(
    record: CaseRecord,
    timeline: TimelineEntry,
    audit: AuditRecord,
    materials?: readonly MaterialAttachment[],
    /**
     * The portal's Idempotency-Key: its record (keyed, naming the case) is written in the same
     * transaction, conditional on not existing — false when another submission holds the key.
     */
    idempotencyKey?: string,
  ): Promise<boolean>;
  /** The case a portal's Idempotency-Key created, if any (the replay reads it: ids are random). */
  caseIdForIdempotencyKey(portalId: string, idempotencyKey: string): Promise<string | undefined>;
  get(caseId: string): Promise<CaseRecord | undefined>;
  view(caseId: string): Promise<CaseView | undefined>;
  /**
   * Conditional on the current status being one of `from` (and on every effect's condition);
   * returns false when a condition failed — nothing is written then. Throws
   * MaterialsUnavailableError when only the attachment of materials failed.
   */
  transition(
    caseId: string,
    from: readonly CaseStatus[],
    changes: Partial<CaseRecord>,
    timeline: TimelineEntry,
    audit: AuditRecord,
    effects?: TransitionEffects,
  ): Promise<boolean>;
  /** Appends a timeline entry and an audit record without changing the case. */
  note(caseId: string, timeline: TimelineEntry, audit: AuditRecord): Promise<void>;
}

/** What a decision addresses: a task by its id, with what its write conditions on. */
export type TaskRef = Pick<TaskRecord, 'taskId' | 'caseId' | 'kind' | 'departmentId'>;

export interface TaskRepository {
  /** Creates the task, or refreshes its token if it exists (re-opened after a timeout). */
  open(task: TaskRecord, timeline: TimelineEntry): Promise<TaskRecord>;
  /**
   * Opens the tasks of one case together (one stage): as `open` each, in one write when none of
   * them exists yet. Optional: without it, `open` one by one.
   */
  openAll?(entries: readonly { task: TaskRecord; timeline: TimelineEntry }[]): Promise<TaskRecord[]>;
  get(taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Records the decision iff the task named by `ref` exists, is that department's and that kind,
   * is pending, AND its case is not final (withdrawn, issued, rejected) at that instant — without
   * reading it first: the conditions are the check. When it is not recorded, the stored task (if
   * any, then read) says why, and `caseClosed` when the case condition refused it.
   */
  decide(
    ref: TaskRef,
    decision: Decision,
    status: TaskRecord['status'],
    timeline: TimelineEntry,
    audit: AuditRecord,
    /**
     * Tasks that must still be pending for the decision to land (the stage's others, as the
     * decider read them: core/flow/decide-task.ts). One of them decided meanwhile, nothing is
     * written and the answer says `siblingDecided` — this decision may be the stage's last now.
     */
    stillPending?: readonly TaskRef[],
  ): Promise<
    | { recorded: true }
    | { recorded: false; task: TaskRecord | undefined; caseClosed?: boolean; siblingDecided?: boolean }
  >;
  listForCase(caseId: string): Promise<TaskRecord[]>;
  /** Marks a pending task overdue and counts the escalation (supervision). */
  markOverdue(taskId: string, timeline: TimelineEntry): Promise<void>;
  /** Closes every pending task of a case (after a withdrawal: any opened meanwhile); returns how many were closed. */
  closeOpen(caseId: string, timeline: TimelineEntry): Promise<number>;
  /** Flags a pending task overdue once (the scheduled supervision sweep); false if already flagged or decided. */
  flagOverdue(taskId: string, timeline: TimelineEntry): Promise<boolean>;
}

export interface MaterialLookup {
  /**
   * Facts for the given ids that belong to `portalId` (others are simply absent). Materials still
   * awaiting upload are judged; a rejection is recorded at once, a verified verdict too — unless
   * `deferVerified`: then it comes back as the facts' `verdict`, for the attaching write to record.
   */
  facts(
    portalId: string,
    ids: readonly string[],
    options?: { readonly deferVerified?: boolean },
  ): Promise<Map<string, MaterialFacts>>;
}

export interface Workflow {
  /** Starts the case's execution, named by the case id; starting it again is harmless. */
  start(name: string, input: unknown): Promise<string>;
  succeed(taskToken: string, output: unknown): Promise<'delivered' | 'stale'>;
  /** Stops the running execution named `name` (withdrawal); one already ended, or never started, is left as it is. */
  stop(name: string, cause: string): Promise<void>;
}
