import * as fs from 'fs';
import * as path from 'path';
import { Stack, type App, type AppProps, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createRecipeApp, type RecipeAppOptions } from '../../lib/app';

/**
 * Context that skips asset bundling (esbuild) for every stack: construct tests assert the template,
 * and one test bundles the handler for real.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/**
 * Context of every test app: no construct creation stack traces (aws-cdk-lib captures one per
 * resource; under Jest each capture is source-mapped, seconds per test file) and assets referenced
 * where they are instead of copied into each test's cloud assembly (the AWS CLI layer alone is
 * several MB a synthesis). Neither changes a template.
 */
export const TEST_APP_CONTEXT = {
  'aws:cdk:disable-stack-trace': true,
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-asset-staging': true,
};

/** Context that copies assets into the cloud assembly, as `cdk synth` does: for tests that read a staged asset. */
export const STAGE_ASSETS = { 'aws:cdk:disable-asset-staging': false };

/** Context that bundles every stack's assets (aws-cdk-lib's default for `aws:cdk:bundling-stacks`) and stages them. */
export const BUNDLE_ALL = { 'aws:cdk:bundling-stacks': ['**'], ...STAGE_ASSETS };

/**
 * The app of a unit test: the recipe context and cdk-nag (a finding fails synthesis), without
 * aws-cdk-lib's built-in CloudFormation Validate, which starts a WebAssembly engine of several MB at
 * every synthesis (seconds per test file). Templates users synthesize are checked once each by
 * {@link validatedApp} (test/lib, test/examples). Bundling is skipped unless the context asks for it
 * (`BUNDLE_ALL`).
 */
export function unitTestApp(props: AppProps = {}): App {
  return createRecipeApp({ ...props, builtinCloudFormationValidation: false, context: { ...TEST_APP_CONTEXT, ...SKIP_BUNDLING, ...props.context } });
}

/**
 * The app of a template-validation test: as `cdk synth` runs it, cdk-nag and CloudFormation Validate
 * on (`@aws-cdk/core:validateAgainstDefaultRules` makes its findings errors). One per template a
 * user can synthesize: every recipe stack, its context variants, every example.
 */
export function validatedApp(props: AppProps = {}, options: RecipeAppOptions = {}): App {
  // aws-cdk-lib skips the check when CDK_VALIDATION=false, whatever the app says.
  if (process.env.CDK_VALIDATION === 'false') throw new Error('CDK_VALIDATION=false turns CloudFormation Validate off: unset it to run the template-validation tests');
  return createRecipeApp({ ...props, builtinCloudFormationValidation: true, context: { ...TEST_APP_CONTEXT, ...props.context } }, options);
}

/** A stack in a unit-test app ({@link unitTestApp}): cdk-nag on, CloudFormation Validate off. */
export function testStack(env?: Environment, context: Record<string, unknown> = {}): { app: App; stack: Stack } {
  const app = unitTestApp({ context });
  const stack = new Stack(app, 'TestStack', { env });
  return { app, stack };
}

/** Synthesizes the stack's app (its validation plugins included) and returns its template. */
export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** A violation in the app's validation report (cdk-nag or CloudFormation Validate). */
export interface ReportedViolation {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
}

/** Every violation the last synthesis of `assemblyDir` reported, whatever its severity. */
export function reportedViolations(assemblyDir: string): ReportedViolation[] {
  const file = path.join(assemblyDir, 'validation-report.json');
  // Synthesis with validation plugins always writes the report; its absence means they did not run.
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the validation plugins did not run`);
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  return report.pluginReports.flatMap((p) => p.violations.map((v) => ({
    plugin: p.pluginName, rule: v.ruleName, severity: v.severity, paths: v.violatingConstructs.map((c) => c.constructPath),
  })));
}
