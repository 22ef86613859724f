import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type App, CfnResource, CloudFormationValidatePlugin, Stack, type IPolicyValidationContext } from 'aws-cdk-lib';
import { createRecipeApp } from '../../lib/app';
import { CachedCloudFormationValidatePlugin } from '../../lib/validation-cache';
import { validatedApp } from '../util/synth';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** An EndpointConfig CloudFormation Validate rejects (VolumeSizeInGB above 512), and one more finding when `extra`. */
function invalidStack(app: App, id: string, volume: number, extra = false): Stack {
  const stack = new Stack(app, id);
  new CfnResource(stack, 'Config', {
    type: 'AWS::SageMaker::EndpointConfig',
    properties: { ProductionVariants: [{ VariantName: 'v', VolumeSizeInGB: volume }] },
  });
  if (extra) new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { DelaySeconds: 9999 } });
  return stack;
}

/** The validation context aws-cdk-lib would pass for the app's stacks (templates written, no plugin run). */
function contextOf(app: App): IPolicyValidationContext {
  const assembly = app.synth();
  const stackTemplates = assembly.stacks.map((s) => ({ stackConstructPath: s.hierarchicalId, templatePath: s.templateFullPath, accountId: undefined, region: undefined }));
  return { stackTemplates, templatePaths: stackTemplates.map((s) => s.templatePath), appConstruct: app };
}

describe('CachedCloudFormationValidatePlugin', () => {
  const cacheDir = tmp('cfn-validate-cache-');
  const plugin = CachedCloudFormationValidatePlugin.forDirectory(cacheDir);
  const entries = () => fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  const unitApp = () => createRecipeApp({ outdir: tmp('cache-test-'), builtinCloudFormationValidation: false });

  test('reports exactly what the uncached plugin reports, cold and warm, with findings shared across templates', () => {
    const app = unitApp();
    invalidStack(app, 'First', 9999, true);
    invalidStack(app, 'Second', 9999);
    invalidStack(app, 'Clean', 100);
    const context = contextOf(app);
    // The same engine, without the cache: aws-cdk-lib's own validate.
    const uncached = CloudFormationValidatePlugin.prototype.validate.call(plugin, context);
    expect(uncached.success).toBe(false);
    expect(uncached.violations.map((v) => v.description)).toEqual([expect.stringMatching(/VolumeSizeInGB: 9999/), expect.stringMatching(/DelaySeconds: 9999/)]);
    expect(uncached.violations.find((v) => /VolumeSizeInGB/.test(v.description))?.violatingResources).toHaveLength(2);

    // The version read from the engine's package.json is the engine's own.
    expect(plugin.version).toBe(Object.getOwnPropertyDescriptor(CloudFormationValidatePlugin.prototype, 'version')!.get!.call(plugin));

    const before = plugin.templatesValidated;
    expect(plugin.validate(context)).toEqual(uncached);
    expect(plugin.templatesValidated - before).toBe(3);
    expect(entries()).toHaveLength(3);

    expect(plugin.validate(context)).toEqual(uncached);
    expect(plugin.templatesValidated - before).toBe(3);
  });

  test('a changed template is validated again; an unreadable entry is validated and rewritten', () => {
    const app = unitApp();
    invalidStack(app, 'Changing', 600);
    const context = contextOf(app);
    const before = plugin.templatesValidated;
    const first = plugin.validate(context);
    expect(plugin.templatesValidated - before).toBe(1);
    expect(first.violations.map((v) => v.description)).toEqual([expect.stringMatching(/VolumeSizeInGB: 600 is greater than the maximum of 512/)]);

    const changed = unitApp();
    invalidStack(changed, 'Changing', 700);
    expect(plugin.validate(contextOf(changed)).violations.map((v) => v.description)).toEqual([expect.stringMatching(/VolumeSizeInGB: 700/)]);
    expect(plugin.templatesValidated - before).toBe(2);

    for (const f of entries()) fs.writeFileSync(path.join(cacheDir, f), '{"format":');
    expect(plugin.validate(context)).toEqual(first);
    expect(plugin.templatesValidated - before).toBe(3);
    expect(plugin.validate(context)).toEqual(first);
    expect(plugin.templatesValidated - before).toBe(3);
  });

  test('a cached finding fails synthesis as a fresh one does', () => {
    const synth = () => {
      const app = validatedApp({ outdir: tmp('cache-synth-') }, { validationCacheDir: cacheDir });
      invalidStack(app, 'Invalid', 9999);
      return () => app.synth();
    };
    const before = plugin.templatesValidated;
    expect(synth()).toThrow(/VolumeSizeInGB: 9999 is greater than the maximum of 512 \(CloudFormation Validate\)/);
    expect(synth()).toThrow(/VolumeSizeInGB: 9999 is greater than the maximum of 512 \(CloudFormation Validate\)/);
    expect(plugin.templatesValidated - before).toBe(1);
  });
});
