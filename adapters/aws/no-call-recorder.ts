/**
 * In place of adapters/aws-call-recorder.ts in Lambda bundles (an esbuild alias set in
 * infra/lambda-bundling.ts): the recorder proves least privilege in local test runs and refuses to
 * start in Lambda, so there it only costs bytes (~4 KiB a function). Same exports the product's
 * adapters use; nothing is recorded.
 */
import type { AwsService, MiddlewareClient } from '../aws-call-recorder.ts';

/** Returns the client as it is. */
export function recordCallsOf<C extends MiddlewareClient>(_service: AwsService, client: C): C {
  return client;
}

/** Records nothing. */
export function recordStandIn(
  _service: AwsService,
  _command: string,
  _input: Record<string, unknown>,
  _standIn: string,
): void {}
