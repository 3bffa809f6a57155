/**
 * CDK entry point (cdk.json "app"): one stack per city.
 *   npx cdk synth -c city=changzhou
 *   npx cdk deploy -c city=changzhou [-c region=cn-north-1] [-c retainData=false]
 */
import { createCityApp } from './city-app.ts';

createCityApp().app.synth();
