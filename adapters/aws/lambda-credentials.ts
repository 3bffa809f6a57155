/**
 * The credentials of a Lambda function: the execution role's, which the runtime puts in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Lambda bundles use
 * this module in place of the SDK's default provider chain (`@aws-sdk/credential-provider-node`,
 * an esbuild alias set in infra/lambda-bundling.ts), which would also bundle the SSO, STS, web
 * identity, process and ini providers and their nested clients — ~60 KiB a function that Lambda
 * never uses. Locally (no bundling) the SDK keeps its default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same name and shape as the default chain's export, so the SDK's runtime config takes it as is. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
