/**
 * Builds the CDK app for one city: the stack plus the AwsSolutions checks. Shared by infra/app.ts
 * (`cdk synth -c city=<id>`) and the tests, so the tests check exactly what `cdk synth` builds.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CityConfig, loadCityConfig } from './city-config.ts';
import { CityStack, type CityStackProps } from './city-stack.ts';

export const DEFAULT_CITY = 'changzhou';

export interface CityApp {
  readonly app: App;
  readonly stack: CityStack;
  readonly config: CityConfig;
}

export interface CityAppOptions {
  readonly appProps?: AppProps;
  /** Defaults to <repo>/cities. */
  readonly citiesDir?: string;
  /** Test seams: a different route table or functions folder. */
  readonly stackProps?: Omit<CityStackProps, 'config'>;
  /** Register the AwsSolutions checks (default true); tests run them directly instead. */
  readonly nagChecks?: boolean;
}

export function createCityApp(options: CityAppOptions = {}): CityApp {
  const app = new App(options.appProps);
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const cityId = String(context('city') ?? DEFAULT_CITY);
  const config = loadCityConfig(cityId, {
    ...(options.citiesDir ? { citiesDir: options.citiesDir } : {}),
    region: context('region'),
    retainData: context('retainData'),
  });
  const stack = new CityStack(app, `Yijianshi-${config.cityId}`, {
    ...options.stackProps,
    config,
    // Environment-agnostic unless a region is given: then ARNs use the partition's literal and
    // region-specific features (e.g. aws-cn) are decided at synth.
    ...(config.region ? { env: { region: config.region, account: process.env.CDK_DEFAULT_ACCOUNT } } : {}),
  });
  // cdk-nag 3: a policy validation plugin; unacknowledged findings fail the synth.
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
