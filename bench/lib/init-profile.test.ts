import { TraceMap } from '@jridgewell/trace-mapping';
import { describe, expect, it } from 'vitest';
import { type CpuProfile, categorise, categoryOfNodeFrame, categoryOfSource } from './init-profile.ts';

describe('where init time goes', () => {
  it('files what the bundle runs by the package its source map names', () => {
    expect(categoryOfSource('../../work/main/node_modules/zod/v4/core/core.js')).toBe('zod');
    expect(categoryOfSource('../node_modules/aws4/aws4.js')).toBe('AWS SDK');
    expect(categoryOfSource('../node_modules/@aws-sdk/util-dynamodb/dist-es/index.js')).toBe('AWS SDK');
    expect(categoryOfSource('../node_modules/qrcode/lib/index.js')).toBe('other packages');
    expect(categoryOfSource('../../core/case/model.ts')).toBe('project code');
  });

  it("files Node's own frames: built-ins, the module loader, GC, the rest", () => {
    expect(categoryOfNodeFrame('node:internal/bootstrap/realm', 'compileForPublicLoader')).toBe(
      'Node built-ins',
    );
    expect(categoryOfNodeFrame('node:_tls_wrap', '')).toBe('Node built-ins');
    expect(categoryOfNodeFrame('node:internal/crypto/keys', '')).toBe('Node built-ins');
    expect(categoryOfNodeFrame('node:internal/modules/esm/utils', 'compileSourceTextModule')).toBe(
      'module loading',
    );
    expect(categoryOfNodeFrame('', '(garbage collector)')).toBe('GC');
    expect(categoryOfNodeFrame('node:internal/process/pre_execution', '')).toBe('node start');
    expect(categoryOfNodeFrame('', '(program)')).toBe('node start');
  });

  it("adds up each frame's self time (samples × their deltas) in its category", () => {
    // Line 1 of the bundle: columns 0–9 come from zod, 10 on from the project (VLQ "AAAA,UCAA").
    const map = new TraceMap({
      version: 3,
      sources: ['../node_modules/zod/v4/core/core.js', '../core/case/model.ts'],
      names: [],
      mappings: 'AAAA,UCAA',
    });
    const frame = (id: number, url: string, columnNumber = 0, functionName = '') => ({
      id,
      callFrame: { functionName, url, lineNumber: 0, columnNumber },
    });
    const profile: CpuProfile = {
      nodes: [
        frame(1, '', 0, '(root)'),
        frame(2, 'file:///b/index.mjs', 3),
        frame(3, 'file:///b/index.mjs', 12),
        frame(4, 'node:internal/bootstrap/realm'),
        frame(5, '', 0, '(garbage collector)'),
      ],
      samples: [2, 2, 3, 4, 5, 1],
      timeDeltas: [1000, 500, 2000, 4000, 250, 100],
    };
    expect(categorise(profile, 'file:///b/index.mjs', map)).toEqual({
      zod: 1.5,
      'AWS SDK': 0,
      'other packages': 0,
      'project code': 2,
      'Node built-ins': 4,
      'module loading': 0,
      GC: 0.25,
      'node start': 0.1,
    });
  });
});
