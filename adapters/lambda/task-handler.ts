/**
 * The one entry point every state machine task uses (makeTaskHandler): logging context, zod
 * parsing of the task input (a malformed input is a named error, InvalidTaskInputError), then the
 * use case. Errors propagate with their `name`, so ASL Retry/Catch can match them.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { invocation, logger } from '../logger.ts';

export class InvalidTaskInputError extends Error {
  override name = 'InvalidTaskInputError';
}

export function makeTaskHandler<I extends z.core.$ZodType, O>(
  input: I,
  run: (event: z.output<I>, context: Context) => Promise<O>,
) {
  return invocation<unknown, O>(
    async (event, context) => {
      const parsed = z.safeParse(input, event);
      if (!parsed.success)
        throw new InvalidTaskInputError(
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      return run(parsed.data, context);
    },
    {
      onError: async (err) => {
        const e = err as Error;
        logger.error('task failed', { errorName: e.name, errorMessage: e.message });
        throw err;
      },
    },
  );
}
