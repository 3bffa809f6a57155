/** The JSON logger: Powertools' fields, the level threshold, errors as fields, the Lambda context per invocation. */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { invocation, JsonLogger } from './logger.ts';

function capture() {
  const lines: { stream: 'out' | 'err'; entry: Record<string, unknown> }[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push({ stream: 'out', entry: JSON.parse(String(chunk)) });
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push({ stream: 'err', entry: JSON.parse(String(chunk)) });
    return true;
  });
  return {
    lines,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

const context = {
  functionName: 'open-task',
  invokedFunctionArn: 'arn:aws:lambda:cn-north-1:000000000000:function:open-task',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
} as Context;

afterEach(() => vi.restoreAllMocks());

describe('the JSON logger', () => {
  it('writes one JSON line per entry with the fields Powertools writes, warnings and errors to stderr', () => {
    const { lines, restore } = capture();
    const log = new JsonLogger('yijianshi', 'INFO');
    log.debug('not shown');
    log.info('case opened', { caseId: 'c-1', count: 2 });
    log.warn('retrying', { attempt: 2 });
    restore();
    expect(lines.map((l) => l.stream)).toEqual(['out', 'err']);
    expect(lines[0]!.entry).toEqual({
      level: 'INFO',
      message: 'case opened',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'yijianshi',
      sampling_rate: 0,
      caseId: 'c-1',
      count: 2,
    });
    expect(lines[1]!.entry).toMatchObject({ level: 'WARN', message: 'retrying', attempt: 2 });
  });

  it('writes an Error — given alone or inside the entry — as its name, message, stack and cause', () => {
    const { lines, restore } = capture();
    const log = new JsonLogger('yijianshi', 'INFO');
    const cause = new Error('socket hang up');
    const err = new TypeError('no table', { cause });
    log.error('request failed', err);
    log.warn('not planned', { caseId: 'c-1', err });
    restore();
    expect(lines[0]!.entry.error).toMatchObject({
      name: 'TypeError',
      message: 'no table',
      stack: expect.stringContaining('TypeError: no table'),
      cause: { name: 'Error', message: 'socket hang up' },
    });
    expect(lines[1]!.entry).toMatchObject({ caseId: 'c-1', err: { name: 'TypeError', message: 'no table' } });
  });

  it('adds the invocation’s Lambda context to every entry of it, cold_start only the first time', async () => {
    const { lines, restore } = capture();
    const log = new JsonLogger('yijianshi', 'INFO');
    const handler = invocation(
      async () => {
        log.info('inside');
        return 'ok';
      },
      { log },
    );
    await handler({}, context);
    await handler({}, { ...context, awsRequestId: 'req-2' });
    log.info('outside');
    restore();
    expect(lines.map((l) => [l.entry.function_request_id, l.entry.cold_start])).toEqual([
      ['req-1', true],
      ['req-2', false],
      [undefined, undefined],
    ]);
    expect(lines[0]!.entry).toMatchObject({
      function_name: 'open-task',
      function_arn: context.invokedFunctionArn,
      function_memory_size: '512',
    });
  });

  it('hands a failure to onError, whose answer is the function’s, with the context still on its entries; without onError it rethrows', async () => {
    const { lines, restore } = capture();
    const log = new JsonLogger('yijianshi', 'INFO');
    const boom = new Error('boom');
    const answered = invocation(
      async () => {
        throw boom;
      },
      {
        log,
        onError: async (err) => {
          log.error('failed', err as Error);
          return 'answered';
        },
      },
    );
    const bare = invocation(
      async () => {
        throw boom;
      },
      { log },
    );
    await expect(answered({}, context)).resolves.toBe('answered');
    await expect(bare({}, context)).rejects.toBe(boom);
    restore();
    expect(lines[0]!.entry).toMatchObject({ message: 'failed', function_request_id: 'req-1' });
  });

  it('logs nothing below its level, and lets Lambda’s log level only raise it', () => {
    const { lines, restore } = capture();
    new JsonLogger('yijianshi', 'WARN').info('hidden');
    process.env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
    try {
      new JsonLogger('yijianshi', 'DEBUG').warn('hidden too');
      new JsonLogger('yijianshi', 'DEBUG').error('shown');
    } finally {
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
    }
    restore();
    expect(lines.map((l) => l.entry.message)).toEqual(['shown']);
  });
});
