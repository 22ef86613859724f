import * as fs from 'fs';
import * as path from 'path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { CachedCloudFormationValidatePlugin } from './validation-cache';

import cdkJson from '../cdk.json';

/**
 * Context every recipe app synthesizes with: the feature flags of `cdk.json`, read from it so that
 * tests, the benchmark and `cdk synth` agree. Among them
 * `@aws-cdk/core:validateAgainstDefaultRules`, which fails synthesis on CloudFormation Validate
 * findings instead of printing warnings.
 */
export const RECIPE_APP_CONTEXT: Readonly<Record<string, unknown>> = cdkJson.context;

/** How {@link createRecipeApp} runs CloudFormation Validate. */
export interface RecipeAppOptions {
  /**
   * Where CloudFormation Validate's findings are cached, one file per template (see
   * CachedCloudFormationValidatePlugin); `false` validates every template afresh.
   * @default node_modules/.cache/cfn-validate of the checkout (none when there is no node_modules)
   */
  readonly validationCacheDir?: string | false;
}

/**
 * A CDK app with the recipe context and the cdk-nag AwsSolutions and NIST 800-53 R5 packs as
 * validation plugins: an unacknowledged finding fails synthesis. aws-cdk-lib's CloudFormation
 * Validate runs as its `builtinCloudFormationValidation` and `CDK_VALIDATION` say, its findings
 * cached per template.
 */
export function createRecipeApp(props: AppProps = {}, options: RecipeAppOptions = {}): App {
  const app = new App({
    // No CDKMetadata resource: templates depend on nothing but the code.
    analyticsReporting: false,
    ...props,
    context: { ...RECIPE_APP_CONTEXT, ...props.context },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  // aws-cdk-lib adds its own instance only when none is registered, and skips it when
  // CDK_VALIDATION=false; a registered one always runs, so that variable is honoured here.
  const cacheDir = options.validationCacheDir ?? defaultValidationCacheDir();
  if (props.builtinCloudFormationValidation !== false && process.env.CDK_VALIDATION !== 'false' && cacheDir) {
    Validations.of(app).addPlugins(CachedCloudFormationValidatePlugin.forDirectory(cacheDir));
  }
  return app;
}

/** node_modules/.cache/cfn-validate of the nearest node_modules above this file (lib/ or dist/lib/). */
export function defaultValidationCacheDir(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'cfn-validate');
    if (path.dirname(dir) === dir) return undefined;
  }
}
