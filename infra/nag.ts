/**
 * cdk-nag 3 acknowledgements. cdk-nag 3 dropped NagSuppressions for CDK's own
 * `Validations.of(scope).acknowledge({ id, reason })`, and it matches ids exactly: each wildcard of
 * an IAM policy is its own finding (`AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]`). These
 * helpers build those ids from the same ARN tokens the grants use, so an acknowledgement follows
 * the resource it is about instead of a hand-copied logical id.
 */
import { Stack, Validations } from 'aws-cdk-lib';
// The formatter cdk-nag itself uses for finding ids; importing it keeps ids in step with the
// installed cdk-nag (a test fails if a future version moves it).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Acknowledges one AwsSolutions rule (or one finding of it) on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({
    id: id.startsWith('AwsSolutions-') ? id : `AwsSolutions-${id}`,
    reason,
  });
}

/** The IAM5 finding id for a wildcard resource such as `${table.tableArn}/index/*`. */
export function iam5Resource(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** The IAM5 finding id for a wildcard action such as `kms:GenerateDataKey*`. */
export function iam5Action(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}
