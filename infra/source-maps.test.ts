/**
 * Source maps at run time are opt-in (issue 14): measured, they cost 20–30 % of a function's init
 * on every cold start. By default no function sets NODE_OPTIONS=--enable-source-maps; with
 * `-c sourceMaps=true` every function does. Synthesised without bundling (fast).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createCityApp } from './city-app.ts';
import { repoRoot } from './paths.ts';

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
  .context;

function nodeOptions(extra: Record<string, unknown>): unknown[] {
  const { stack } = createCityApp({
    appProps: {
      context: { ...cdkContext, city: 'changzhou', 'aws:cdk:bundling-stacks': [], ...extra },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
  });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } } }
  >;
  // Ours only (CDK's own helper functions set no CATALOG_FILE).
  return Object.values(functions)
    .filter((f) => f.Properties.Environment?.Variables?.CATALOG_FILE)
    .map((f) => f.Properties.Environment?.Variables?.NODE_OPTIONS);
}

describe('source maps at run time', () => {
  it('are off by default', () => {
    const options = nodeOptions({});
    expect(options.length).toBeGreaterThan(30);
    expect(options.every((o) => o === undefined)).toBe(true);
  });

  it('are on for every function with -c sourceMaps=true', () => {
    const options = nodeOptions({ sourceMaps: 'true' });
    expect(options.every((o) => o === '--enable-source-maps')).toBe(true);
  });
});
