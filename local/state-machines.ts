/**
 * The ASL files the CDK stack deploys, prepared for the local runtime: the same file, with the
 * same `${...}` substitutions filled by local values instead of CloudFormation references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { substitutionKey, taskFunctions } from '#functions/routes.ts';
import { repoRoot } from './lambda-registry.ts';

/** The one ASL file of the case flow; infra/ deploys exactly this path (a test asserts it). */
export const caseFlowAslPath = join(repoRoot, 'statemachines', 'case-flow.asl.json');

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

export function substitute(definition: string, values: Record<string, string>): string {
  const out = definition.replace(/\$\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
  const left = /\$\{(\w+)\}/.exec(out);
  if (left) throw new Error(`ASL substitution \${${left[1]}} has no local value`);
  return out;
}

export function localSubstitutions(extra: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = { Partition: 'aws', ...extra };
  for (const t of taskFunctions as readonly { name: string }[])
    values[substitutionKey(t.name)] = localFunctionArn(t.name);
  return values;
}

export function loadCaseFlowDefinition(extra: Record<string, string> = {}): string {
  return substitute(readFileSync(caseFlowAslPath, 'utf8'), localSubstitutions(extra));
}
