import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { buildSync } from 'esbuild';
import * as path from 'path';
import { FakeAws, sagemakerJson } from '../util/fake-aws';

/**
 * Only what needs a process: the bin's shebang, exit codes, stdout/stderr separation, and the SDK's
 * own environment handling (credential chain, region, the standard AWS_ENDPOINT_URL override
 * pointing at the local fake). Everything else runs in process (cli-plan, cli-aws). The entry point
 * is bundled once with esbuild (as `npm run build` would compile it), so each run starts like the
 * installed CLI.
 */
const fake = new FakeAws();
let CLI = '';

/** Runs the bundle as an executable, through its `#!/usr/bin/env node` line. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, {
      env: {
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: '/nonexistent-home',
        // Nothing outside loopback: no instance metadata, no profile files.
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: fake.url,
        AWS_MAX_ATTEMPTS: '1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const creds = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' };

beforeAll(async () => {
  CLI = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-recipes-cli-')), 'llm-recipes.js');
  buildSync({ entryPoints: [path.join(__dirname, '..', '..', 'bin', 'llm-recipes.ts')], bundle: true, platform: 'node', target: 'node20', outfile: CLI, logLevel: 'error' });
  fs.chmodSync(CLI, 0o755);
  await fake.start();
});
afterAll(() => fake.stop());

test('the bin runs through its shebang: the plan on stdout, nothing on stderr, exit 0', async () => {
  const r = await cli(['plan', 'inference', 'falcon-40b']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/^\*\s+ml\.g6\.48xlarge/m);
});

test('a usage error exits 2 with the error on stderr only, as JSON with --json', async () => {
  const r = await cli(['plan', 'training', '--preset', 'gpt3-175b', '--nodes', '4', '--json']);
  expect(r).toMatchObject({ code: 2, stdout: '' });
  expect(JSON.parse(r.stderr)).toMatchObject({ error: { command: 'plan training', exitCode: 2 } });
});

test('wait: progress on stderr, the result on stdout; AWS_ENDPOINT_URL and credentials from the environment', async () => {
  const states = ['Creating', 'InService'];
  fake.handlers.DescribeEndpoint = () => sagemakerJson({ EndpointName: 'e1', EndpointStatus: states.shift() ?? 'InService', CreationTime: 1, ProductionVariants: [] });
  const r = await cli(['wait', 'e1', '--interval', '1'], creds);
  expect(r.code).toBe(0);
  // Real clock: the second reading is 1 s of sleep plus the calls (cli-aws times it with a fake clock).
  expect(r.stderr).toMatch(/^\[0s\] e1: Creating\n\[\d+s\] e1: InService\n$/);
  expect(r.stdout).toMatch(/^e1 is InService/);
});

test('no credentials is one clear line and exit 1, never a stack trace', async () => {
  const r = await cli(['status']);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('llm-recipes status: no AWS credentials found: configure a profile (aws configure, AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n');
});

test('no region is one clear line', async () => {
  const r = await cli(['wait', 'e1'], { ...creds, AWS_REGION: '' });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('llm-recipes wait: no AWS region: pass --region or set AWS_REGION\n');
});

test('the CLI modules import AWS SDK clients as types only; the commands that call AWS load them', () => {
  const dir = path.join(__dirname, '..', '..', 'bin', 'cli');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const valueImports = fs.readFileSync(path.join(dir, file), 'utf8').match(/^import (?!type )[^;]*from '@aws-sdk\/[^']*'/gm) ?? [];
    expect({ file, valueImports }).toEqual({ file, valueImports: [] });
  }
});
