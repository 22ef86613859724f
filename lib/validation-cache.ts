import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyValidationStack,
  type PolicyViolatingResource,
  type PolicyViolation,
} from 'aws-cdk-lib';

/** Bumped when the shape of a cache entry changes. */
const ENTRY_FORMAT = 'cfn-validate-cache/1';

/** One template's share of a report: its violations, each naming only this template's resources (templatePath left out). */
interface CacheEntry {
  readonly format: string;
  readonly violations: PolicyViolation[];
}

/**
 * aws-cdk-lib's CloudFormation Validate, unchanged, with a disk cache of each template's findings.
 *
 * The engine's findings depend only on the template text, the pseudo-parameter values it resolves
 * (stack account and region), the rule set (aws-cdk-lib picks its built-in Rego rules by the resource
 * types of all templates in the synthesis) and the engine and aws-cdk-lib versions; all of these are
 * in the key. A synthesis whose templates are all cached never starts the engine (a 9 MB
 * WebAssembly module whose start-up alone takes about 2 s of CPU); otherwise only the templates not
 * in the cache are validated. Findings are cached as the engine reported them, so a cached error
 * fails synthesis as a fresh one does.
 *
 * Registered on the App in place of aws-cdk-lib's default instance (aws-cdk-lib adds its default
 * only when no CloudFormationValidatePlugin is registered, and treats this one alike: same plugin
 * name, so `@aws-cdk/core:validateAgainstDefaultRules` and acknowledgements apply as before).
 */
export class CachedCloudFormationValidatePlugin extends CloudFormationValidatePlugin {
  private static readonly instances = new Map<string, CachedCloudFormationValidatePlugin>();

  /** One instance per cache directory and process: the engine, once started, serves every later app. */
  public static forDirectory(cacheDir: string): CachedCloudFormationValidatePlugin {
    let plugin = CachedCloudFormationValidatePlugin.instances.get(cacheDir);
    if (!plugin) {
      plugin = new CachedCloudFormationValidatePlugin(cacheDir);
      CachedCloudFormationValidatePlugin.instances.set(cacheDir, plugin);
    }
    return plugin;
  }

  private misses = 0;

  private constructor(public readonly cacheDir: string) {
    super();
  }

  /** Templates validated by the engine (cache misses) over this instance's life. */
  public get templatesValidated(): number {
    return this.misses;
  }

  /**
   * The engine's version, read from its package.json: aws-cdk-lib's getter asks the engine itself,
   * which loads (compiles) the WebAssembly module even when every template is cached.
   */
  public override get version(): string {
    return VALIDATE_VERSION;
  }

  /** As aws-cdk-lib's own: its one rule ID is the engine's version (read as {@link version} is). */
  public override get ruleIds(): string[] {
    return [VALIDATE_VERSION];
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = context.stackTemplates;
    const texts = stacks.map((s) => fs.readFileSync(s.templatePath, 'utf-8'));
    const keys = this.keys(stacks, texts);
    const entries: Array<PolicyViolation[] | undefined> = keys.map((k) => this.read(k));

    const missing = stacks.filter((_, i) => entries[i] === undefined);
    if (missing.length > 0) {
      this.misses += missing.length;
      const report = super.validate({ ...context, stackTemplates: missing, templatePaths: missing.map((s) => s.templatePath) });
      stacks.forEach((stack, i) => {
        if (entries[i] !== undefined) return;
        entries[i] = shareOf(report.violations, stack.templatePath);
        this.write(keys[i], entries[i]);
      });
    }

    // Merged as the plugin merges diagnostics: templates in order, a finding with the same rule,
    // severity and description as an earlier one adds its resources to it.
    const violations: PolicyViolation[] = [];
    stacks.forEach((stack, i) => {
      for (const v of entries[i]!) {
        const resources: PolicyViolatingResource[] = v.violatingResources.map((r) => ({ ...r, templatePath: stack.templatePath }));
        const existing = violations.find((x) => x.ruleName === v.ruleName && x.severity === v.severity && x.description === v.description);
        if (existing) existing.violatingResources.push(...resources);
        else violations.push({ ...v, violatingResources: resources });
      }
    });
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }

  private keys(stacks: readonly PolicyValidationStack[], texts: readonly string[]): string[] {
    const types = new Set<string>();
    for (const text of texts) {
      const resources = (JSON.parse(text) as { Resources?: Record<string, { Type?: unknown }> }).Resources ?? {};
      for (const r of Object.values(resources)) if (typeof r?.Type === 'string') types.add(r.Type);
    }
    const common = [ENTRY_FORMAT, AWS_CDK_LIB_VERSION, VALIDATE_VERSION, [...types].sort().join(',')].join('\0');
    return stacks.map((s, i) => crypto.createHash('sha256')
      .update(common).update('\0').update(s.stackConstructPath).update('\0')
      .update(s.accountId ?? '').update('\0').update(s.region ?? '').update('\0')
      .update(texts[i]).digest('hex'));
  }

  private read(key: string): PolicyViolation[] | undefined {
    try {
      const entry = JSON.parse(fs.readFileSync(path.join(this.cacheDir, `${key}.json`), 'utf-8')) as CacheEntry;
      return entry.format === ENTRY_FORMAT && Array.isArray(entry.violations) ? entry.violations : undefined;
    } catch {
      return undefined; // missing or unreadable: validate
    }
  }

  private write(key: string, violations: PolicyViolation[]): void {
    const entry: CacheEntry = { format: ENTRY_FORMAT, violations };
    const file = path.join(this.cacheDir, `${key}.json`);
    try {
      fs.mkdirSync(this.cacheDir, { recursive: true });
      // Write then rename: a concurrent synthesis (Jest workers) never reads a partial entry.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, file);
    } catch {
      // A read-only checkout only loses the cache.
    }
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
const AWS_CDK_LIB_VERSION = (require('aws-cdk-lib/package.json') as { version: string }).version;
// A dependency bundled inside aws-cdk-lib: resolved from aws-cdk-lib's directory.
const VALIDATE_VERSION = (require(require.resolve('@aws/cloudformation-validate/package.json', {
  paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))],
})) as { version: string }).version;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The violations of `report` that name resources of `templatePath`, restricted to those resources, the path left out. */
function shareOf(violations: readonly PolicyViolation[], templatePath: string): PolicyViolation[] {
  return violations.flatMap((v) => {
    const mine = v.violatingResources.filter((r) => r.templatePath === templatePath);
    return mine.length === 0 ? [] : [{ ...v, violatingResources: mine.map((r) => ({ ...r, templatePath: undefined })) }];
  });
}
