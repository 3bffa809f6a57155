/**
 * Secrets stay out of Lambda environments (issue 12): the department token key and the identifier
 * secret are fetched at run time from Secrets Manager — no function's environment holds a secret
 * value or a dynamic reference CloudFormation would resolve into one (visible to anyone who may
 * read the function's configuration). Synthesised without bundling (fast).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createCityApp } from './city-app.ts';
import { repoRoot } from './paths.ts';

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
  .context;

type Fn = {
  Properties: {
    Description?: string;
    Role?: { 'Fn::GetAtt': [string, string] };
    Environment?: { Variables?: Record<string, unknown> };
  };
};

const { stack } = createCityApp({
  appProps: {
    context: { ...cdkContext, city: 'changzhou', 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  },
  nagChecks: false,
});
const template = Template.fromStack(stack);
const functions = template.findResources('AWS::Lambda::Function') as Record<string, Fn>;
const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
const tokenSecret = secrets.find((id) => id.startsWith('DepartmentTokenSecret'))!;

describe('secrets in the city stack', () => {
  it('puts no secret value or dynamic reference into any function’s environment', () => {
    expect(Object.keys(functions).length).toBeGreaterThan(30);
    for (const [id, fn] of Object.entries(functions)) {
      const variables = fn.Properties.Environment?.Variables ?? {};
      expect(Object.keys(variables), id).not.toContain('TOKEN_SECRET');
      expect(Object.keys(variables), id).not.toContain('IDENTIFIER_SECRET');
      expect(JSON.stringify(variables), id).not.toMatch(/resolve:secretsmanager/);
    }
  });

  it('gives the authorizer the token secret’s ARN and the right to read it at run time', () => {
    expect(tokenSecret).toBeDefined();
    const [authorizerId, authorizer] = Object.entries(functions).find(([, fn]) =>
      (fn.Properties.Description ?? '').startsWith('API Gateway authorizer'),
    )!;
    expect(authorizer.Properties.Environment?.Variables?.TOKEN_SECRET_ARN, authorizerId).toEqual({
      Ref: tokenSecret,
    });
    const role = authorizer.Properties.Role!['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: unknown[] } };
    }[];
    const statements = policies
      .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as {
      Action: string | string[];
      Resource: unknown;
    }[];
    expect(
      statements.some(
        (s) =>
          [s.Action].flat().includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource).includes(tokenSecret),
      ),
    ).toBe(true);
  });
});
