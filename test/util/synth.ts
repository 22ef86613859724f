import * as fs from 'fs';
import * as path from 'path';
import { Stack, type App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createRecipeApp } from '../../lib/app';

/**
 * Context that skips asset bundling (esbuild) for every stack: construct tests assert the template,
 * and one test bundles the handler for real.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** A stack in an app with the recipe context and cdk-nag: synthesis fails on any finding. */
export function testStack(env?: Environment, context: Record<string, unknown> = {}): { app: App; stack: Stack } {
  const app = createRecipeApp({ context });
  const stack = new Stack(app, 'TestStack', { env });
  return { app, stack };
}

/** Synthesizes the stack's app (validation plugins included) and returns its template. */
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
