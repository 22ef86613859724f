import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';

import cdkJson from '../cdk.json';

/**
 * Context every recipe app synthesizes with: the feature flags of `cdk.json`, read from it so that
 * tests, the benchmark and `cdk synth` agree. Among them
 * `@aws-cdk/core:validateAgainstDefaultRules`, which fails synthesis on CloudFormation Validate
 * findings instead of printing warnings.
 */
export const RECIPE_APP_CONTEXT: Readonly<Record<string, unknown>> = cdkJson.context;

/**
 * A CDK app with the recipe context and the cdk-nag AwsSolutions and NIST 800-53 R5 packs as
 * validation plugins: an unacknowledged finding fails synthesis.
 */
export function createRecipeApp(props: AppProps = {}): App {
  const app = new App({
    // No CDKMetadata resource: templates depend on nothing but the code.
    analyticsReporting: false,
    ...props,
    context: { ...RECIPE_APP_CONTEXT, ...props.context },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  return app;
}
