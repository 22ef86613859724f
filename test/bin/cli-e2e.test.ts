import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { buildSync } from 'esbuild';
import * as path from 'path';
import { describeStacksXml, FakeAws, sagemakerJson } from '../util/fake-aws';

/**
 * The CLI as a user runs it: a child process, the real SDK clients and credential chain, and the
 * standard AWS_ENDPOINT_URL override pointing at the local fake. The entry point is bundled once
 * with esbuild (as `npm run build` would compile it), so each run starts like the installed CLI.
 */
const fake = new FakeAws();
let CLI = '';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
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
  await fake.start();
});
afterAll(() => fake.stop());

test('plan inference', async () => {
  const r = await cli(['plan', 'inference', 'falcon-40b']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^\*\s+ml\.g6\.48xlarge/m);
});

test('plan training', async () => {
  const r = await cli(['plan', 'training', '--preset', 'gpt3-175b', '--json']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ preset: 'gpt3-175b', nodes: 8, instanceType: 'trn1.32xlarge' });
});

test('status', async () => {
  fake.handlers.DescribeStacks = () => describeStacksXml([{ name: 'Trn1MegatronPretraining', status: 'CREATE_COMPLETE', outputs: { MegatronClusterHeadNodeInstanceIdAB: 'i-0abc' }, tags: { 'llm-recipe': 'trn1-megatron-pretraining' } }]);
  const r = await cli(['status'], creds);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Trn1MegatronPretraining\s+cluster\s+i-0abc\s+CREATE_COMPLETE/m);
});

test('wait', async () => {
  const states = ['Creating', 'InService'];
  fake.handlers.DescribeEndpoint = () => sagemakerJson({ EndpointName: 'e1', EndpointStatus: states.shift() ?? 'InService', CreationTime: 1, ProductionVariants: [] });
  const r = await cli(['wait', 'e1', '--interval', '1'], creds);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^\[0s\] e1: Creating\n\[1s\] e1: InService\n$/);
  expect(r.stdout).toMatch(/^e1 is InService/);
});

test('invoke', async () => {
  fake.handlers.InvokeEndpoint = () => ({ headers: { 'content-type': 'application/json' }, body: '{"generated_text": "Paris.", "details": {"generated_tokens": 2}}' });
  const r = await cli(['invoke', 'e1', 'Capital of France?'], creds);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Paris\.\nlatency \d+\.\d\d s, 2 tokens, [\d.]+ tokens\/s\n$/);
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
