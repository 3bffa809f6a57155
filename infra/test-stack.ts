/** A city's stack for assertion tests: synthesised without bundling (fast), without cdk-nag. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createCityApp } from './city-app.ts';
import type { CityStack } from './city-stack.ts';
import { repoRoot } from './paths.ts';

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
  .context;

export function testStack(city = 'changzhou'): { stack: CityStack; template: Template } {
  const { stack } = createCityApp({
    appProps: {
      context: { ...cdkContext, city, 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
  });
  return { stack, template: Template.fromStack(stack) };
}
