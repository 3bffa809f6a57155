/**
 * Licences are signed by a KMS key the stack owns (ECDSA P-256, SIGN_VERIFY), usable only by the
 * functions that sign or verify; the state machine's execution data is encrypted with the city's
 * own key. Bundling is skipped, as in city-stack.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCityApp } from './city-app.ts';
import type { CityStack } from './city-stack.ts';
import { repoRoot } from './paths.ts';

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
  .context;
let stack: CityStack;
let template: Template;

beforeAll(() => {
  stack = createCityApp({
    appProps: {
      context: { ...cdkContext, city: 'changzhou', 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
  }).stack;
  template = Template.fromStack(stack);
});

describe('licence signing and execution data encryption', () => {
  it('owns an asymmetric ECC P-256 signing key, retained with the data', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      DeletionPolicy: 'Retain',
    });
  });

  it('tells every function which key signs licences and lets only the licence functions use it', () => {
    const signingKeyId = stack.getLogicalId(stack.signingKey.node.defaultChild as never);
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions))
      expect(
        (fn as { Properties: { Environment: { Variables: object } } }).Properties.Environment.Variables,
      ).toHaveProperty('SIGNING_KEY_ARN');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('"kms:Sign"'),
    );
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0])).toContain(signingKeyId);
  });

  it('encrypts the state machine with the city key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });
});
