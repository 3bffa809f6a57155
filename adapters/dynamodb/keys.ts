/**
 * Key builders for the single table. Every access pattern of the system, and the key it uses:
 *
 * | access pattern                               | table / index | pk                        | sk                          |
 * |----------------------------------------------|---------------|---------------------------|-----------------------------|
 * | portal by API key (authorizer)               | table         | APIKEY#<sha256(key)>      | APIKEY                      |
 * | portal profile                               | table         | PORTAL#<portalId>         | PORTAL                      |
 * | revoked department token                     | table         | TOKEN#<jti>               | REVOKED                     |
 * | a case, with everything about it (1 Query)   | table         | CASE#<caseId>             | CASE / TASK# / EVENT# / AUDIT# / LICENSE# |
 * | a task by id (case id is inside the task id) | table         | CASE#<caseId>             | TASK#<taskId>               |
 * | a case with its tasks / licenses (1 Query)   | table         | CASE#<caseId>             | CASE … TASK$ / CASE … LICENSE$, filtered on type (case-reads.ts) |
 * | a portal's cases, newest first               | gsi1          | PORTAL#<portalId>         | <createdAt>#<caseId>        |
 * | a department's inbox by status, due first    | gsi1          | DEPT#<deptId>#<status>    | <dueAt>#<taskId>            |
 * | open tasks by due date (supervision)         | gsi2 (sparse) | OPENTASK                  | <dueAt>#<taskId>            |
 * | a material                                   | table         | MATERIAL#<materialId>     | MATERIAL                    |
 * | a license (case id is inside the license id) | table         | CASE#<caseId>             | LICENSE#<licenseId>         |
 * | shared data (registries, e-licenses)         | table         | SHARED#<source>#<sha256>  | RECORD / LICENSE#<type>     |
 * | materials on file from earlier cases         | table         | SHARED#earlierCase#<sha256> | MATERIAL#<materialType>   |
 * | webhook subscriptions of a portal            | table         | PORTAL#<portalId>         | WEBHOOK#<webhookId>         |
 * | a portal's webhook directory (cap + all)     | table         | PORTAL#<portalId>         | WEBHOOKS                    |
 * | a portal's API keys (revocation)             | table         | PORTAL#<portalId>         | APIKEY#<sha256(key)>        |
 * | every portal (operators)                     | gsi2 (sparse) | PORTALS                   | <portalId>                  |
 * | a case's events: status changes, task events (outbox; to delivery by the table's stream, no index) | table | OUTBOX#<caseId> | EVENT#<occurredAt>#<eventId> |
 * | a portal's dead-lettered webhook deliveries  | table         | DEADLETTER#<portalId>     | <failedAt>#<webhookId>#<eventId> |
 * | every dead letter, newest last (operators)   | gsi2 (sparse) | DEADLETTER                | <failedAt>#<webhookId>#<eventId> |
 * | webhook subscriptions of a department        | table         | DEPARTMENT#<departmentId> | WEBHOOK#<webhookId>         |
 * | a department's webhook directory (cap + all) | table         | DEPARTMENT#<departmentId> | WEBHOOKS                    |
 * | a department's dead-lettered deliveries      | table         | DEADLETTER#DEPARTMENT#<departmentId> | <failedAt>#<webhookId>#<eventId> |
 * | the case a portal's Idempotency-Key created  | table         | IDEMPOTENCY#<keyed(portal, key)> | IDEMPOTENCY          |
 * | a portal's cases of one applicant, newest first | table      | APPLICANT#<portalId>#<applicantKey> | CASE#<createdAt>#<caseId> |
 * | reads of an applicant's personal data (access log), newest first | table | ACCESS#<applicantKey> | <at>#<entryId> |
 * | consents an applicant gave (prefill)         | table         | CONSENT#<applicantKey>    | <recordedAt>#<consentId>    |
 * | prefill lookups of an applicant in an hour (rate limit, TTL) | table | RATE#prefill#<subjectKey> | <hour>        |
 *
 * `applicantKey` is the keyed identifier (HMAC-SHA256 under the city's secret, core/identity/
 * keyed-ids.ts) of the applicant's ID number or credit code; `subjectKey` that of the token's
 * subject. The applicant's cases: one index item per case, written in the case's own transaction
 * (so it exists exactly when the case does), read newest first with a cursor (the last sort key);
 * the case items give the current status.
 *
 * Values are ids and keyed hashes only: no personal data in any key.
 */
export const keys = {
  apiKey: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  portal: (portalId: string) => ({ pk: `PORTAL#${portalId}`, sk: 'PORTAL' }),
  revokedToken: (jti: string) => ({ pk: `TOKEN#${jti}`, sk: 'REVOKED' }),
  casePk: (caseId: string) => `CASE#${caseId}`,
  case: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  task: (caseId: string, taskId: string) => ({ pk: `CASE#${caseId}`, sk: `TASK#${taskId}` }),
  event: (caseId: string, at: string, seq: string) => ({ pk: `CASE#${caseId}`, sk: `EVENT#${at}#${seq}` }),
  audit: (caseId: string, at: string, seq: string) => ({ pk: `CASE#${caseId}`, sk: `AUDIT#${at}#${seq}` }),
  license: (caseId: string, licenseId: string) => ({ pk: `CASE#${caseId}`, sk: `LICENSE#${licenseId}` }),
  material: (materialId: string) => ({ pk: `MATERIAL#${materialId}`, sk: 'MATERIAL' }),
  shared: (source: string, hash: string) => `SHARED#${source}#${hash}`,
  portalCases: (portalId: string, createdAt: string, caseId: string) => ({
    gsi1pk: `PORTAL#${portalId}`,
    gsi1sk: `${createdAt}#${caseId}`,
  }),
  inboxPk: (departmentId: string, status: string) => `DEPT#${departmentId}#${status}`,
  inbox: (departmentId: string, status: string, dueAt: string, taskId: string) => ({
    gsi1pk: keys.inboxPk(departmentId, status),
    gsi1sk: `${dueAt}#${taskId}`,
  }),
  openTask: (dueAt: string, taskId: string) => ({ gsi2pk: 'OPENTASK', gsi2sk: `${dueAt}#${taskId}` }),
  webhook: (portalId: string, webhookId: string) => ({
    pk: `PORTAL#${portalId}`,
    sk: `WEBHOOK#${webhookId}`,
  }),
  /** The webhook directory: the cap's counter and every webhook (not under WEBHOOK#: listings skip it). */
  webhookCount: (portalId: string) => ({ pk: `PORTAL#${portalId}`, sk: 'WEBHOOKS' }),
  portalApiKey: (portalId: string, hash: string) => ({ pk: `PORTAL#${portalId}`, sk: `APIKEY#${hash}` }),
  portalDirectory: (portalId: string) => ({ gsi2pk: 'PORTALS', gsi2sk: portalId }),
  outbox: (caseId: string, occurredAt: string, eventId: string) => ({
    pk: `OUTBOX#${caseId}`,
    sk: `EVENT#${occurredAt}#${eventId}`,
  }),
  deadLetter: (portalId: string, failedAt: string, webhookId: string, eventId: string) => ({
    pk: `DEADLETTER#${portalId}`,
    sk: `${failedAt}#${webhookId}#${eventId}`,
    gsi2pk: 'DEADLETTER',
    gsi2sk: `${failedAt}#${webhookId}#${eventId}`,
  }),
  departmentWebhook: (departmentId: string, webhookId: string) => ({
    pk: `DEPARTMENT#${departmentId}`,
    sk: `WEBHOOK#${webhookId}`,
  }),
  departmentWebhookCount: (departmentId: string) => ({ pk: `DEPARTMENT#${departmentId}`, sk: 'WEBHOOKS' }),
  departmentDeadLetter: (departmentId: string, failedAt: string, webhookId: string, eventId: string) => ({
    pk: `DEADLETTER#DEPARTMENT#${departmentId}`,
    sk: `${failedAt}#${webhookId}#${eventId}`,
    gsi2pk: 'DEADLETTER',
    gsi2sk: `${failedAt}#${webhookId}#${eventId}`,
  }),
  idempotency: (keyed: string) => ({ pk: `IDEMPOTENCY#${keyed}`, sk: 'IDEMPOTENCY' }),
  applicantCase: (portalId: string, applicantKey: string, createdAt: string, caseId: string) => ({
    pk: `APPLICANT#${portalId}#${applicantKey}`,
    sk: `CASE#${createdAt}#${caseId}`,
  }),
  applicantCasesPk: (portalId: string, applicantKey: string) => `APPLICANT#${portalId}#${applicantKey}`,
  accessLog: (applicantKey: string, at: string, entryId: string) => ({
    pk: `ACCESS#${applicantKey}`,
    sk: `${at}#${entryId}`,
  }),
  consent: (applicantKey: string, recordedAt: string, consentId: string) => ({
    pk: `CONSENT#${applicantKey}`,
    sk: `${recordedAt}#${consentId}`,
  }),
  rate: (kind: string, subjectKey: string, window: string) => ({
    pk: `RATE#${kind}#${subjectKey}`,
    sk: window,
  }),
} as const;
