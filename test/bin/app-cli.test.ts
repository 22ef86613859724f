import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { reportedViolations } from '../util/synth';
import { withEnv } from '../util/env';

// CloudFormation Validate is off here (CDK_VALIDATION=false): these tests are about the app's
// errors, and test/lib/recipes.test.ts validates every recipe template.
const ROOT = path.join(__dirname, '../..');

/** The error annotations the app wrote into the cloud assembly for stack `id` (`<id>.metadata.json`). */
function assemblyErrors(out: string, id: string): string[] {
  const metadata = JSON.parse(fs.readFileSync(path.join(out, `${id}.metadata.json`), 'utf-8')) as Record<string, Array<{ type: string; data: unknown }>>;
  return Object.values(metadata).flat().filter((m) => m.type === 'aws:cdk:error').map((m) => String(m.data));
}

describe('bin/app.ts', () => {
  // The one process: the real CDK CLI with the app command of cdk.json (offline: no lookups, no AWS
  // calls), as a user runs it. The app stops at the context check, before building any stack.
  test('under the CDK CLI, an unknown context key is one line naming it, exit code 1, no stack trace', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'app-cli-'));
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/cdk'), ['synth', '-q', '-o', out, 'KendraRag', '-c', 'kendraIndex=abc'], {
      cwd: ROOT, encoding: 'utf-8', env: { ...process.env, NODE_ENV: '', CDK_DEPLOY_REGION: '', CDK_DEPLOY_ACCOUNT: '', CDK_VALIDATION: 'false' }, timeout: 280_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('context kendraIndex: unknown key; did you mean kendraIndexId? known keys: ');
    expect(r.stderr).not.toMatch(/\n\s+at |TSError|\.ts:\d+/);
  }, 300_000);

  // In process: the app module synthesizes when loaded, with what `cdk synth` hands it (CDK_OUTDIR,
  // and in CDK_CONTEXT_JSON failSynthOnValidationErrors=false: the CLI reads the validation report
  // and fails only for the stacks it selected). The app synthesizes every stack whatever the
  // selection, so the assembly holds Inf2LmiEndpoint's error while Falcon40bG5Endpoint, the one a
  // user would select, has no error and no finding. The CLI's refusal of a selected stack with
  // either is aws-cdk's behaviour, not the app's.
  test('CDK_DEPLOY_REGION without the neuronx image fails Inf2LmiEndpoint only', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'app-cli-'));
    const stderr = jest.spyOn(process.stderr, 'write');
    try {
      await withEnv({
        CDK_DEPLOY_REGION: 'eu-south-1', CDK_DEPLOY_ACCOUNT: '', CDK_OUTDIR: out, CDK_VALIDATION: 'false',
        CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:failSynthOnValidationErrors': false }),
      }, () => import('../../bin/app'));
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'Falcon40bG5Endpoint.template.json'), 'utf-8'))).toHaveProperty('Resources');
    expect(assemblyErrors(out, 'Falcon40bG5Endpoint')).toEqual([]);
    expect(reportedViolations(out).filter((v) => v.paths.some((p) => p.startsWith('Falcon40bG5Endpoint/')))).toEqual([]);
    expect(assemblyErrors(out, 'Inf2LmiEndpoint').join('\n'))
      .toMatch(/Inf2LmiEndpoint: LmiEndpoint Inf2LmiEndpoint\/Endpoint: the neuron LMI image .* is not published in eu-south-1/);
  }, 300_000);
});
