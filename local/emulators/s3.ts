/**
 * The local S3: s3rver (in-process) behind a guard of ours (s3-guard.ts). s3rver checks neither
 * signatures nor Content-Type/Length nor conditional writes (TOOLCHAIN.md); the guard refuses the
 * object PUTs AWS S3 refuses, so the local stack accepts no upload that AWS would not. The product
 * still verifies uploaded bytes itself, as it must on AWS too. The bucket's CORS rule is the
 * deployed bucket's (adapters/s3/cors.ts), and s3rver enforces it on preflights.
 */
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { corsConfigurationXml } from '#adapters/s3/cors.ts';
import { startS3Guard } from './s3-guard.ts';

export interface S3Local {
  /** The guard's URL: what clients and presigned URLs use. */
  readonly endpoint: string;
  /** s3rver itself, unguarded (tests of the guard compare the two). */
  readonly emulatorEndpoint: string;
  stop(): Promise<void>;
}

/** s3rver's fixed credentials (presigned URLs are signed with them; only the guard checks). */
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

export async function startS3(options: {
  directory: string;
  bucket: string;
  port?: number;
}): Promise<S3Local> {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [corsConfigurationXml()] }],
  });
  // s3rver logs every request through koa-logger into winston even when silent (the transport is
  // silent, the formatting is not): ~6 % of the stack process's CPU at saturation (bench
  // --cpu-prof). Koa composes its middleware at run(): take the request logger out before.
  const app = server as unknown as { middleware: { name?: string }[]; logger: { silent: boolean } };
  app.middleware = app.middleware.filter((m) => m.name !== 'logger');
  app.logger.silent = true;
  const addr = (await server.run()) as { address: string; port: number };
  const emulatorEndpoint = `http://127.0.0.1:${addr.port}`;
  let guard: Awaited<ReturnType<typeof startS3Guard>>;
  try {
    guard = await startS3Guard({
      upstream: emulatorEndpoint,
      secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    endpoint: guard.endpoint,
    emulatorEndpoint,
    async stop() {
      await guard.close();
      await server.close();
    },
  };
}
