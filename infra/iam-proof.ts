/**
 * Least privilege, proven (issue 11): checks the AWS calls each function made during a run
 * (adapters/aws-call-recorder.ts) against that function's IAM policy in the synthesized template.
 * Pure: a CloudFormation template (JSON) and the recorded calls in, an answer out —
 *   - `denied`: every recorded (function, action, resource) no Allow statement of the function's
 *     role covers (or a Deny does): the run would fail in AWS;
 *   - `unused`: the role's grants (action pattern × resource) no recorded call needed, for
 *     information; grants AWS itself uses on the function's behalf (logs, tracing, the data key
 *     behind SSE-KMS, the stream and queue pollers) are listed apart as `byAws`.
 *
 * Roles are found by their Description, `<name>.<kind>` (infra/constructs/handler-function.ts).
 * Resources are compared as ARNs spelled with the template's own tokens: `${Table.Arn}/index/gsi1`
 * for a query on an index, `arn:${AWS::Partition}:states:…:execution:${CaseFlow.Name}:<id>` for an
 * execution, so a statement's resource (GetAtt, Ref, Join) matches exactly when IAM's would.
 * Conditions are not evaluated (the grants of this stack carry none on what the functions call).
 */
import type { Permission, RecordedCall, ResourceKind, ResourceRef } from '../adapters/aws-call-recorder.ts';

type Json = Record<string, unknown>;
export interface Template {
  readonly Resources?: Record<string, { Type: string; Properties?: Json }>;
}

export interface Grant {
  /** As written in the policy (may hold wildcards). */
  readonly action: string;
  /** The resource in token spelling (`${Table.Arn}/index/*`, `*`). */
  readonly resource: string;
  readonly effect: 'Allow' | 'Deny';
  readonly conditional: boolean;
}

export interface FunctionPolicy {
  /** functions/<name>.<kind>.ts */
  readonly name: string;
  readonly kind: string;
  readonly roleId: string;
  readonly grants: readonly Grant[];
}

export interface DeniedCall {
  readonly fn: string;
  readonly action: string;
  readonly resource: ResourceRef;
  /** The resource as the checker spelled it. */
  readonly arn: string;
  readonly commands: readonly string[];
  /** Where to grant it. */
  readonly fix: string;
}

export interface UnusedGrant extends Grant {
  readonly fn: string;
  /** False: the function made no recorded call at all in the run (not invoked, or no AWS calls). */
  readonly functionRecorded: boolean;
}

export interface ProofResult {
  readonly denied: readonly DeniedCall[];
  readonly unused: readonly UnusedGrant[];
  readonly byAws: readonly UnusedGrant[];
  /** Distinct (function, action, resource) checked. */
  readonly checked: number;
  /** Functions with at least one recorded call. */
  readonly functions: readonly string[];
  /** Calls made outside any function (setup, local machinery): not checked. */
  readonly unattributed: number;
}

// ── the template ─────────────────────────────────────────────────────────────────────────────

/** A CloudFormation value in token spelling: `${Id.Attr}`, `${Id}` (Ref), joins concatenated. */
export function spell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
    if (typeof getAtt === 'string') return `\${${getAtt}}`;
    const join = v['Fn::Join'];
    if (Array.isArray(join)) {
      const [sep, parts] = join as [string, unknown[]];
      return parts.map(spell).join(sep);
    }
  }
  // Anything else (Fn::Select, Fn::Sub …) spelled so that it can only match itself.
  return `\u0000${JSON.stringify(value)}`;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Each function's role and its statements, keyed by function name. */
export function functionPolicies(template: Template): Map<string, FunctionPolicy> {
  const resources = template.Resources ?? {};
  const roles = new Map<string, { name: string; kind: string; statements: Json[] }>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const m = /^([a-z0-9-]+)\.(handler|task|authorizer|scheduled|stream|queue)$/.exec(
      String(r.Properties?.Description ?? ''),
    );
    if (!m) continue;
    const inline = list(r.Properties?.Policies as Json[] | undefined).flatMap((p) =>
      list((p.PolicyDocument as Json | undefined)?.Statement as Json[] | undefined),
    );
    roles.set(id, { name: m[1]!, kind: m[2]!, statements: inline });
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const statements = list(
      (r.Properties?.PolicyDocument as Json | undefined)?.Statement as Json[] | undefined,
    );
    for (const role of list(r.Properties?.Roles as Json[] | undefined)) {
      const target = roles.get(String((role as Json).Ref));
      if (target) target.statements.push(...statements);
    }
  }
  const out = new Map<string, FunctionPolicy>();
  for (const [roleId, role] of roles) {
    const grants: Grant[] = [];
    for (const s of role.statements) {
      if (s.NotAction || s.NotResource || s.NotPrincipal)
        throw new Error(`${role.name}: NotAction/NotResource statements are not understood by the IAM proof`);
      for (const action of list(s.Action as string | string[]))
        for (const resource of list(s.Resource as unknown))
          grants.push({
            action,
            resource: spell(resource),
            effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
            conditional: s.Condition !== undefined,
          });
    }
    out.set(role.name, { name: role.name, kind: role.kind, roleId, grants });
  }
  return out;
}

/** The logical ids of the resources the functions call, found by what they are. */
export function resourceIds(template: Template): Partial<Record<ResourceKind, string>> {
  const entries = Object.entries(template.Resources ?? {});
  const of = (type: string, pick: (p: Json, id: string) => boolean = () => true) =>
    entries.filter(([id, r]) => r.Type === type && pick(r.Properties ?? {}, id)).map(([id]) => id);
  const one = (ids: string[]) => (ids.length === 1 ? ids[0] : undefined);
  const kmsEncrypted = (p: Json) => JSON.stringify(p.BucketEncryption ?? {}).includes('aws:kms');
  const ids: Partial<Record<ResourceKind, string>> = {
    table: one(of('AWS::DynamoDB::Table')),
    // The files bucket is the KMS-encrypted one (the access-log bucket cannot be).
    bucket: one(of('AWS::S3::Bucket', kmsEncrypted)),
    'state-machine': one(of('AWS::StepFunctions::StateMachine')),
    'signing-key': one(of('AWS::KMS::Key', (p) => p.KeyUsage === 'SIGN_VERIFY')),
    // The delivery queue is the one with a dead-letter queue.
    queue: one(of('AWS::SQS::Queue', (p) => p.RedrivePolicy !== undefined)),
    secret: one(of('AWS::SecretsManager::Secret')),
  };
  return ids;
}

/** The ARN, in token spelling, of what a recorded call touched; undefined if the stack has no such resource. */
export function arnOf(ref: ResourceRef, ids: Partial<Record<ResourceKind, string>>): string | undefined {
  const table = ids.table;
  const bucket = ids.bucket;
  const machine = ids['state-machine'];
  switch (ref.kind) {
    case 'any':
      return '*';
    case 'table':
      return table && `\${${table}.Arn}`;
    case 'table-index':
      return table && `\${${table}.Arn}/index/${ref.detail ?? 'index'}`;
    case 'bucket':
      return bucket && `\${${bucket}.Arn}`;
    case 'bucket-object':
      return bucket && `\${${bucket}.Arn}/${ref.detail ?? 'object'}/key`;
    case 'state-machine':
      return machine && `\${${machine}}`;
    case 'execution':
      return (
        machine &&
        `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:\${${machine}.Name}:case-id`
      );
    case 'signing-key':
      return ids['signing-key'] && `\${${ids['signing-key']}.Arn}`;
    case 'queue':
      return ids.queue && `\${${ids.queue}.Arn}`;
    case 'secret':
      return ids.secret && `\${${ids.secret}}`;
  }
}

/** IAM's wildcard match: `*` any run of characters, `?` one; actions case-insensitively. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function covers(grant: Grant, action: string, arn: string): boolean {
  return wildcardMatch(grant.action, action, true) && wildcardMatch(grant.resource, arn);
}

/** Whether `policy` allows `permission` on `arn` (an explicit Deny wins). */
export function allows(policy: FunctionPolicy, action: string, arn: string): boolean {
  const matching = policy.grants.filter((g) => covers(g, action, arn));
  return matching.some((g) => g.effect === 'Allow') && !matching.some((g) => g.effect === 'Deny');
}

/** Grants AWS uses for the function, not its code: never "unused". */
function usedByAws(grant: Grant, ids: Partial<Record<ResourceKind, string>>, kind: string): boolean {
  const service = grant.action.split(':')[0];
  if (service === 'logs' || service === 'xray') return true;
  // The table, the bucket and the queue are encrypted with the data key: DynamoDB, S3 and SQS use
  // it (on the caller's behalf) for every read and write.
  if (service === 'kms' && !(ids['signing-key'] && grant.resource.includes(ids['signing-key']))) return true;
  // s3:ListBucket is what makes S3 answer a GET/HEAD of a missing key 404 rather than 403 (the
  // adapters read "not uploaded yet" from the 404): used, though by no call of its own.
  if (
    wildcardMatch(grant.action, 's3:ListBucket', true) &&
    ids.bucket &&
    grant.resource === `\${${ids.bucket}.Arn}`
  )
    return true;
  if (
    kind === 'stream' &&
    /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(grant.action)
  )
    return true;
  // The stream mapping sends the positions of failed batches to its on-failure queue.
  if (
    kind === 'stream' &&
    grant.action.startsWith('sqs:') &&
    !(ids.queue && grant.resource.includes(ids.queue))
  )
    return true;
  if (
    kind === 'queue' &&
    /^sqs:(ReceiveMessage|DeleteMessage|GetQueueAttributes|GetQueueUrl)$/.test(grant.action)
  )
    return true;
  return false;
}

function fixFor(fn: string, kind: string | undefined): string {
  if (kind === 'handler')
    return `grant it in the route's \`needs\` (functions/${fn}.handler.ts, adapters/http/route.ts \`Needs\`)`;
  if (kind)
    return `grant it to ${fn}.${kind} in infra/city-stack.ts (its kind's needs in functions/routes.ts)`;
  return `${fn} has no role in the stack: add its function to infra/city-stack.ts`;
}

/** The IAM proof: what each function's policy would deny of what it called, and what it never used. */
export function checkCalls(template: Template, calls: readonly RecordedCall[]): ProofResult {
  const policies = functionPolicies(template);
  const ids = resourceIds(template);
  const denied: DeniedCall[] = [];
  const used = new Map<string, Set<Grant>>();
  const functions = new Set<string>();
  let unattributed = 0;
  let checked = 0;
  for (const call of calls) {
    if (!call.fn) {
      unattributed += call.count;
      continue;
    }
    functions.add(call.fn);
    checked++;
    const policy = policies.get(call.fn);
    const arn = arnOf(call.resource, ids);
    const deny = (spelled: string) =>
      denied.push({
        fn: call.fn!,
        action: call.action,
        resource: call.resource,
        arn: spelled,
        commands: call.commands,
        fix: fixFor(call.fn!, policy?.kind),
      });
    if (!policy || !arn) {
      deny(arn ?? `(no ${call.resource.kind} in the stack)`);
      continue;
    }
    if (!allows(policy, call.action, arn)) deny(arn);
    const set = used.get(call.fn) ?? new Set<Grant>();
    for (const g of policy.grants) if (g.effect === 'Allow' && covers(g, call.action, arn)) set.add(g);
    used.set(call.fn, set);
  }
  const unused: UnusedGrant[] = [];
  const byAws: UnusedGrant[] = [];
  for (const policy of policies.values()) {
    const set = used.get(policy.name);
    for (const g of policy.grants) {
      if (g.effect !== 'Allow' || set?.has(g)) continue;
      const entry = { ...g, fn: policy.name, functionRecorded: functions.has(policy.name) };
      (usedByAws(g, ids, policy.kind) ? byAws : unused).push(entry);
    }
  }
  return { denied, unused, byAws, checked, functions: [...functions].sort(), unattributed };
}

const kindLabel: Record<ResourceKind, string> = {
  table: 'the table',
  'table-index': 'the table index',
  bucket: 'the files bucket',
  'bucket-object': 'objects of the files bucket',
  'state-machine': 'the case flow state machine',
  execution: 'executions of the case flow',
  'signing-key': 'the license signing key',
  queue: 'the webhook delivery queue',
  secret: 'the department token secret',
  any: '"*" (no resource-level permission)',
};

/** "submit-case: states:StartExecution on the case flow state machine …" */
export function describeDenied(d: DeniedCall): string {
  const what = `${kindLabel[d.resource.kind]}${d.resource.detail ? ` ${d.resource.detail}` : ''}`;
  return `${d.fn}: ${d.action} on ${what} (${d.arn}) is not allowed by its role — needed by ${d.commands.join(', ')}; ${d.fix}`;
}

/** `${TableCD117FA1.Arn}/index/*` → `table/index/*`: a grant's resource by what it is. */
function shortResource(resource: string, ids: Partial<Record<ResourceKind, string>>): string {
  let out = resource;
  for (const [kind, id] of Object.entries(ids)) {
    if (!id) continue;
    out = out
      .split(`\${${id}.Arn}`)
      .join(kind)
      .split(`\${${id}.Name}`)
      .join(`${kind}-name`)
      .split(`\${${id}}`)
      .join(kind);
  }
  return out.replace(
    /^arn:\$\{AWS::Partition\}:states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:execution:state-machine-name:/,
    'execution:',
  );
}

/** Unused grants of one function, one line: `dynamodb:{DeleteItem, Scan} on table; s3:List* on bucket`. */
function describeUnused(grants: readonly UnusedGrant[], ids: Partial<Record<ResourceKind, string>>): string {
  const byResource = new Map<string, string[]>();
  for (const g of grants) {
    const r = shortResource(g.resource, ids);
    byResource.set(r, [...(byResource.get(r) ?? []), g.action]);
  }
  return [...byResource]
    .map(([r, actions]) => {
      const services = new Map<string, string[]>();
      for (const a of actions) {
        const [service, name] = a.split(':') as [string, string];
        services.set(service, [...(services.get(service) ?? []), name]);
      }
      const spelled = [...services].map(([s, names]) =>
        names.length === 1 ? `${s}:${names[0]}` : `${s}:{${names.sort().join(', ')}}`,
      );
      return `${spelled.join(' ')} on ${r}`;
    })
    .join('; ');
}

/** The report printed after a run. */
export function describeProof(result: ProofResult, template?: Template): string {
  const ids = template ? resourceIds(template) : {};
  const lines = [
    `IAM proof: ${result.checked} (function, action, resource) checked for ${result.functions.length} functions, ${result.denied.length} denied; ${result.unattributed} calls outside any function not checked`,
  ];
  for (const d of result.denied) lines.push(`  DENIED ${describeDenied(d)}`);
  const byFn = new Map<string, UnusedGrant[]>();
  for (const u of result.unused) byFn.set(u.fn, [...(byFn.get(u.fn) ?? []), u]);
  if (byFn.size) lines.push('  grants never used in this run (information):');
  for (const [fn, grants] of [...byFn].sort(([a], [b]) => a.localeCompare(b))) {
    const note = grants[0]!.functionRecorded ? '' : ' (no calls recorded for this function)';
    lines.push(`    ${fn}${note}: ${describeUnused(grants, ids)}`);
  }
  return lines.join('\n');
}

export type { Permission, RecordedCall };
