import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The real CDK CLI with the app command of cdk.json: synthesis is offline (no lookups, no AWS calls).
// CloudFormation Validate is off here (CDK_VALIDATION=false): these tests are about the app's
// errors, and test/lib/recipes.test.ts validates every recipe template.
const ROOT = path.join(__dirname, '../..');

function cdkSynth(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'app-cli-'));
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/cdk'), ['synth', '-q', '-o', out, ...args], {
    cwd: ROOT, encoding: 'utf-8', env: { ...process.env, NODE_ENV: '', CDK_DEPLOY_REGION: '', CDK_DEPLOY_ACCOUNT: '', CDK_VALIDATION: 'false', ...env }, timeout: 280_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/app.ts under the CDK CLI', () => {
  test('an unknown context key is one line naming it, exit code 1, no stack trace', () => {
    const r = cdkSynth(['KendraRag', '-c', 'kendraIndex=abc']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('context kendraIndex: unknown key; did you mean kendraIndexId? known keys: ');
    expect(r.stderr).not.toMatch(/\n\s+at |TSError|\.ts:\d+/);
  }, 300_000);

  test('a region without the neuronx image fails Inf2LmiEndpoint only', () => {
    const ok = cdkSynth(['Falcon40bG5Endpoint'], { CDK_DEPLOY_REGION: 'eu-south-1' });
    expect(ok.stderr.slice(-1500)).not.toMatch(/ERROR|rror/);
    expect(ok.status).toBe(0);
    const failed = cdkSynth(['Inf2LmiEndpoint'], { CDK_DEPLOY_REGION: 'eu-south-1' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/Inf2LmiEndpoint: LmiEndpoint Inf2LmiEndpoint\/Endpoint: the neuron LMI image .* is not published in eu-south-1/);
  }, 600_000);
});
