import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeAws, sagemakerJson } from '../util/fake-aws';

/**
 * Only what needs a process, in two runs of the bundle that `npm run build` makes (built here by
 * scripts/bundle-cli.js into a temporary directory): the bin's shebang, the exit code,
 * stdout/stderr separation, the real clock, the SDK file required from beside the bin, and the
 * SDK's own environment handling (credentials, region and the standard AWS_ENDPOINT_URL override
 * pointing at the local fake). Everything else runs in process (cli-plan, cli-aws, cli-kb,
 * cli-finetune).
 */
const ROOT = path.join(__dirname, '..', '..');
const fake = new FakeAws();
let bundle: { cli: string; sdk: string; sdkModules: string[] };
/** The bin alone, without the SDK file beside it. */
let offlineCli = '';
let tmp = '';

type BundleCli = (outDir: string) => Promise<typeof bundle>;

/** Runs a bin as an executable, through its `#!/usr/bin/env node` line. */
function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
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

beforeAll(async () => {
  const { bundleCli } = (await import(path.join(ROOT, 'scripts', 'bundle-cli.js'))) as { bundleCli: BundleCli };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-recipes-cli-'));
  bundle = await bundleCli(path.join(tmp, 'bin'));
  offlineCli = path.join(tmp, 'offline', path.basename(bundle.cli));
  fs.mkdirSync(path.dirname(offlineCli));
  fs.copyFileSync(bundle.cli, offlineCli);
  await fake.start();
}, 120_000);
afterAll(async () => {
  await fake.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the bundle: every SDK client the CLI imports lives in the SDK file, beside the bin', () => {
  expect(path.dirname(bundle.sdk)).toBe(path.dirname(bundle.cli));
  expect(bundle.sdkModules).toEqual(expect.arrayContaining(['@aws-sdk/client-sagemaker', '@aws-sdk/client-cloudformation', '@aws-sdk/client-sagemaker-runtime']));
  // The SDK is nearly all of the code; the bin holds the CLI and the catalog (scripts/bundle-cli.js
  // refuses any package code in it).
  expect(fs.statSync(bundle.cli).size).toBeLessThan(fs.statSync(bundle.sdk).size / 10);
});

test('an offline command needs no SDK file: through the shebang, the plan on stdout, nothing on stderr, exit 0', async () => {
  const r = await run(offlineCli, ['plan', 'inference', 'falcon-40b']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/^\*\s+ml\.g6\.48xlarge/m);
});

test('wait loads the SDK file: progress on stderr, the result on stdout, the exit code; credentials and AWS_ENDPOINT_URL from the environment', async () => {
  const states = ['Creating', 'Failed'];
  fake.handlers.DescribeEndpoint = () => sagemakerJson({ EndpointName: 'e1', EndpointStatus: states.shift() ?? 'Failed', FailureReason: 'ping health check failed', CreationTime: 1, ProductionVariants: [] });
  const r = await run(bundle.cli, ['wait', 'e1', '--interval', '1'], { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' });
  expect(r.code).toBe(3);
  // Real clock: the second reading is 1 s of sleep plus the calls (cli-aws times it with a fake clock).
  // Nothing else on stderr: the SDK's Node.js version notice is kept out (bin/cli/quiet-sdk-warning.ts).
  expect(r.stderr).toMatch(/^\[0s\] e1: Creating\n\[[1-9]\d*s\] e1: Failed\n$/);
  expect(r.stdout).toBe('e1 is Failed: ping health check failed\n');
  expect(fake.calls('DescribeEndpoint').map((c) => c.headers.authorization)).toEqual([
    expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/sagemaker\/aws4_request/),
    expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//),
  ]);
});

test('the CLI modules import AWS SDK clients as types only; the commands that call AWS load them', () => {
  const dir = path.join(ROOT, 'bin', 'cli');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const valueImports = fs.readFileSync(path.join(dir, file), 'utf8').match(/^import (?!type )[^;]*from '@aws-sdk\/[^']*'/gm) ?? [];
    expect({ file, valueImports }).toEqual({ file, valueImports: [] });
  }
});
