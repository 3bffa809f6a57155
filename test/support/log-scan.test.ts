import { describe, expect, it } from 'vitest';
import { personalDataIn } from './log-scan.ts';

describe('the log scan', () => {
  it('finds ID numbers, credit codes, phones, tokens and keys, and reports them masked', () => {
    const found = personalDataIn(
      'a 11010519491231002X b 91350100M000100Y43 c 13812345678 d eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0YXgifQ.c2lnbmF0dXJlLXZhbHVl e yjs_abcdefghijklmnopqrstuvwx',
    );
    expect(found).toHaveLength(5);
    expect(found.join(' ')).not.toContain('11010519491231002X');
  });

  it('ignores ids that only look like identifiers', () => {
    expect(personalDataIn('request 110105194912310021 at 1700000000000 case c-abcdef')).toEqual([]);
  });
});
