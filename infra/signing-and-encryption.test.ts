import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Needs } from '../adapters/http/route.ts';
import { httpRoutes, taskFunctions } from '../functions/routes.ts';
import type { CityStack } from './city-stack.ts';
import { testStack } from './test-stack.ts';

let stack: CityStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testStack('changzhou'));
});

describe('license signing and execution data encryption', () => {
  it('owns an asymmetric ECC P-256 signing key, retained with the data', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      DeletionPolicy: 'Retain',
    });
  });

  it('tells every function which key signs licenses and lets only the functions that issue licenses use it', () => {
    const signingKeyId = stack.getLogicalId(stack.signingKey.node.defaultChild as never);
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions))
      expect(
        (fn as { Properties: { Environment: { Variables: object } } }).Properties.Environment.Variables,
      ).toHaveProperty('SIGNING_KEY_ARN');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('"kms:Sign"'),
    );
    // Issue And Deliver Licenses, and the decision that may issue at once (its stage's last).
    const signers = [...httpRoutes, ...taskFunctions]
      .filter((f) => 'needs' in f && (f.needs as Needs | undefined)?.signing === 'sign')
      .map((f) => f.name)
      .sort();
    expect(signers).toEqual(['decide-task', 'issue-licenses']);
    expect(policies).toHaveLength(signers.length);
    for (const p of policies) expect(JSON.stringify(p)).toContain(signingKeyId);
  });

  it('encrypts the state machine with the city key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });
});
