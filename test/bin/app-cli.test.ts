import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The real CDK CLI with the app command of cdk.json: synthesis is offline (no lookups, no AWS calls).
// CloudFormation Validate is off here (CDK_VALIDATION=false): these tests are about the app's
// errors, and test/lib/recipes.test.ts validates every recipe template. One CLI process per
// behaviour: the CLI and the app's start cost seconds each.
const ROOT = path.join(__dirname, '../..');

function cdkSynth(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; out: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'app-cli-'));
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/cdk'), ['synth', '-q', '-o', out, ...args], {
    cwd: ROOT, encoding: 'utf-8', env: { ...process.env, NODE_ENV: '', CDK_DEPLOY_REGION: '', CDK_DEPLOY_ACCOUNT: '', CDK_VALIDATION: 'false', ...env }, timeout: 280_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, out };
}

/** The error annotations the app wrote into the cloud assembly for stack `id` (`<id>.metadata.json`). */
function assemblyErrors(out: string, id: string): string[] {
  const metadata = JSON.parse(fs.readFileSync(path.join(out, `${id}.metadata.json`), 'utf-8')) as Record<string, Array<{ type: string; data: unknown }>>;
  return Object.values(metadata).flat().filter((m) => m.type === 'aws:cdk:error').map((m) => String(m.data));
}

describe('bin/app.ts under the CDK CLI', () => {
  test('an unknown context key is one line naming it, exit code 1, no stack trace', () => {
    const r = cdkSynth(['KendraRag', '-c', 'kendraIndex=abc']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('context kendraIndex: unknown key; did you mean kendraIndexId? known keys: ');
    expect(r.stderr).not.toMatch(/\n\s+at |TSError|\.ts:\d+/);
  }, 300_000);

  // One run: the app synthesizes every stack whatever the selection, so the assembly holds
  // Inf2LmiEndpoint's error while the CLI succeeds for the selected Falcon40bG5Endpoint. The CLI's
  // own refusal of a selected stack with an error annotation is aws-cdk's behaviour, not the app's.
  test('a region without the neuronx image fails Inf2LmiEndpoint only', () => {
    const ok = cdkSynth(['Falcon40bG5Endpoint'], { CDK_DEPLOY_REGION: 'eu-south-1' });
    expect(ok.stderr.slice(-1500)).not.toMatch(/ERROR|rror/);
    expect(ok.status).toBe(0);
    expect(assemblyErrors(ok.out, 'Falcon40bG5Endpoint')).toEqual([]);
    expect(assemblyErrors(ok.out, 'Inf2LmiEndpoint').join('\n'))
      .toMatch(/Inf2LmiEndpoint: LmiEndpoint Inf2LmiEndpoint\/Endpoint: the neuron LMI image .* is not published in eu-south-1/);
  }, 300_000);
});
