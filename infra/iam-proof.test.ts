/**
 * The IAM proof's checker (infra/iam-proof.ts), without emulators: recorded calls against a small
 * hand-written template, then against the real synthesized changzhou template — intact, and with
 * one grant removed, which must make the recorded call fail (the "fails when one grant is
 * removed").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../adapters/aws-call-recorder.ts';
import { synthesizedTemplate } from '../test/support/iam-proof.ts';
import {
  checkCalls,
  describeDenied,
  describeProof,
  functionPolicies,
  spell,
  type Template,
  wildcardMatch,
} from './iam-proof.ts';

const call = (fn: string | undefined, action: string, resource: RecordedCall['resource']): RecordedCall => ({
  fn,
  action,
  resource,
  count: 1,
  commands: [action.split(':')[1]!],
});

/** A token as the checker spells it: tok('Table1.Arn') is the text ${Table1.Arn}. */
const tok = (ref: string) => `\${${ref}}`;

const tableArn = { 'Fn::GetAtt': ['Table1', 'Arn'] };
const bucketArn = { 'Fn::GetAtt': ['Files1', 'Arn'] };

/** Two functions: get-thing reads the table and objects; put-thing writes items only. */
const small: Template = {
  Resources: {
    Table1: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Files1: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ SSEAlgorithm: 'aws:kms' }] } },
    },
    Logs1: { Type: 'AWS::S3::Bucket', Properties: {} },
    GetRole: { Type: 'AWS::IAM::Role', Properties: { Description: 'get-thing.handler' } },
    PutRole: { Type: 'AWS::IAM::Role', Properties: { Description: 'put-thing.task' } },
    GetPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'GetRole' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:Query'],
              Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
            },
            { Effect: 'Allow', Action: 's3:GetObject*', Resource: { 'Fn::Join': ['', [bucketArn, '/*']] } },
          ],
        },
      },
    },
    PutPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'PutRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: tableArn },
            { Effect: 'Deny', Action: 'dynamodb:UpdateItem', Resource: '*' },
          ],
        },
      },
    },
  },
};

describe('the IAM proof checker', () => {
  it('spells CloudFormation resources with their tokens', () => {
    expect(spell({ 'Fn::Join': ['', [tableArn, '/index/*']] })).toBe(`${tok('Table1.Arn')}/index/*`);
    expect(spell({ Ref: 'CaseFlow' })).toBe(`${tok('CaseFlow')}`);
    expect(wildcardMatch('s3:GetObject*', 's3:getobjectversion', true)).toBe(true);
    expect(wildcardMatch(`${tok('Table1.Arn')}/index/*`, `${tok('Table1.Arn')}`)).toBe(false);
    expect(wildcardMatch('*', '*')).toBe(true);
    expect(wildcardMatch(`${tok('Table1.Arn')}`, '*')).toBe(false);
  });

  it('allows a recorded call its policy grants (a wildcard action, an index by its ARN)', () => {
    const result = checkCalls(small, [
      call('get-thing', 'dynamodb:GetItem', { kind: 'table' }),
      call('get-thing', 'dynamodb:Query', { kind: 'table-index', detail: 'gsi1' }),
      call('get-thing', 's3:GetObject', { kind: 'bucket-object', detail: 'materials' }),
      call('put-thing', 'dynamodb:PutItem', { kind: 'table' }),
    ]);
    expect(result.denied).toEqual([]);
    expect(result.functions).toEqual(['get-thing', 'put-thing']);
    expect(result.checked).toBe(4);
  });

  it('denies what no statement grants, and what a Deny refuses, naming function, action, resource and where to grant it', () => {
    const result = checkCalls(small, [
      // Read-only: no item writes.
      call('get-thing', 'dynamodb:PutItem', { kind: 'table' }),
      // The table's grant is not its indexes'.
      call('put-thing', 'dynamodb:PutItem', { kind: 'table-index', detail: 'gsi1' }),
      call('put-thing', 'dynamodb:UpdateItem', { kind: 'table' }),
      // A kind the stack does not have at all.
      call('put-thing', 'states:StartExecution', { kind: 'state-machine' }),
      // A function the stack does not have.
      call('ghost', 'dynamodb:GetItem', { kind: 'table' }),
    ]);
    expect(result.denied.map((d) => `${d.fn} ${d.action} ${d.resource.kind}`)).toEqual([
      'get-thing dynamodb:PutItem table',
      'put-thing dynamodb:PutItem table-index',
      'put-thing dynamodb:UpdateItem table',
      'put-thing states:StartExecution state-machine',
      'ghost dynamodb:GetItem table',
    ]);
    const [first, , , , ghost] = result.denied;
    expect(describeDenied(first!)).toContain('functions/get-thing.handler.ts');
    expect(describeDenied(first!)).toContain('`needs`');
    expect(describeDenied(result.denied[2]!)).toContain('infra/city-stack.ts');
    expect(describeDenied(ghost!)).toContain('no role in the stack');
  });

  it('lists the grants no recorded call used, and leaves calls outside any function unchecked', () => {
    const result = checkCalls(small, [
      call('get-thing', 'dynamodb:GetItem', { kind: 'table' }),
      call(undefined, 'dynamodb:DeleteItem', { kind: 'table' }),
    ]);
    expect(result.unattributed).toBe(1);
    expect(result.denied).toEqual([]);
    const unused = result.unused.map((u) => `${u.fn} ${u.action} ${u.resource} ${u.functionRecorded}`);
    expect(unused).toContain(`get-thing dynamodb:Query ${tok('Table1.Arn')} true`);
    expect(unused).toContain(`get-thing s3:GetObject* ${tok('Files1.Arn')}/* true`);
    expect(unused).toContain(`put-thing dynamodb:PutItem ${tok('Table1.Arn')} false`);
    expect(unused).not.toContain(`get-thing dynamodb:GetItem ${tok('Table1.Arn')} true`);
    expect(describeProof(result, small)).toMatch(
      /put-thing \(no calls recorded for this function\): dynamodb:\{PutItem, UpdateItem\} on table/,
    );
  });
});

describe('the IAM proof against the synthesized changzhou template', () => {
  let template: Template;
  beforeAll(async () => {
    template = await synthesizedTemplate('changzhou');
  }, 60_000);

  /** What a submission, a withdrawal, a decision, a license and its verification call. */
  const flowCalls = [
    call('submit-case', 'dynamodb:PutItem', { kind: 'table' }),
    call('submit-case', 's3:GetObject', { kind: 'bucket-object', detail: 'materials' }),
    call('submit-case', 'states:StartExecution', { kind: 'state-machine' }),
    call('withdraw-case', 'states:StopExecution', { kind: 'execution' }),
    call('decide-task', 'states:SendTaskSuccess', { kind: 'any' }),
    call('open-task', 'states:SendTaskSuccess', { kind: 'any' }),
    call('list-tasks', 'dynamodb:Query', { kind: 'table-index', detail: 'gsi1' }),
    call('create-material', 's3:PutObject', { kind: 'bucket-object', detail: 'materials' }),
    call('issue-licenses', 'kms:Sign', { kind: 'signing-key' }),
    call('issue-licenses', 's3:PutObject', { kind: 'bucket-object', detail: 'licenses' }),
    call('verify-license', 'kms:GetPublicKey', { kind: 'signing-key' }),
    call('authorize-caller', 'dynamodb:GetItem', { kind: 'table' }),
    call('enqueue-webhooks', 'sqs:SendMessage', { kind: 'queue' }),
    call('deliver-webhook', 'sqs:ChangeMessageVisibility', { kind: 'queue' }),
    call('mark-overdue', 'dynamodb:UpdateItem', { kind: 'table' }),
  ];

  it('finds a role for every function of the stack', () => {
    const names = [...functionPolicies(template).keys()];
    for (const fn of [
      'submit-case',
      'open-task',
      'authorize-caller',
      'mark-overdue',
      'enqueue-webhooks',
      'deliver-webhook',
    ])
      expect(names).toContain(fn);
  });

  it('allows every call of the case flow as the stack grants it', () => {
    const result = checkCalls(template, flowCalls);
    expect(result.denied.map(describeDenied)).toEqual([]);
    expect(result.functions.length).toBe(new Set(flowCalls.map((c) => c.fn)).size);
  });

  it('refuses what a function was not granted: a read-only task writing, a route without the signing key signing', () => {
    const result = checkCalls(template, [
      call('resume-after-supplement', 'dynamodb:PutItem', { kind: 'table' }),
      call('get-case', 'kms:Sign', { kind: 'signing-key' }),
      call('open-task', 's3:GetObject', { kind: 'bucket-object', detail: 'materials' }),
      call('authorize-caller', 'dynamodb:PutItem', { kind: 'table' }),
    ]);
    expect(result.denied.map((d) => `${d.fn} ${d.action}`)).toEqual([
      'resume-after-supplement dynamodb:PutItem',
      'get-case kms:Sign',
      'open-task s3:GetObject',
      'authorize-caller dynamodb:PutItem',
    ]);
  });

  it('fails a recorded states:StartExecution by submit-case once that one grant is removed from its role', () => {
    const withoutStart = structuredClone(template) as Template;
    const roleId = functionPolicies(withoutStart).get('submit-case')!.roleId;
    let removed = 0;
    for (const r of Object.values(withoutStart.Resources ?? {})) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      if (!JSON.stringify(r.Properties?.Roles).includes(roleId)) continue;
      const doc = r.Properties!.PolicyDocument as { Statement: { Action: string | string[] }[] };
      const before = doc.Statement.length;
      doc.Statement = doc.Statement.filter((s) => ![s.Action].flat().includes('states:StartExecution'));
      removed += before - doc.Statement.length;
    }
    expect(removed).toBe(1);
    const result = checkCalls(withoutStart, flowCalls);
    expect(result.denied).toHaveLength(1);
    const [denied] = result.denied;
    expect(denied).toMatchObject({
      fn: 'submit-case',
      action: 'states:StartExecution',
      resource: { kind: 'state-machine' },
    });
    expect(describeDenied(denied!)).toMatch(
      /submit-case: states:StartExecution on the case flow state machine .*functions\/submit-case\.handler\.ts/,
    );
    // And with the grant in place, the same calls pass (the test above).
  });
});
