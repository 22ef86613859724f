import {
  describeStacksXml, FakeAws, cloudFormationError, runtimeError, sagemakerError, sagemakerJson, type RecordedRequest,
} from '../util/fake-aws';
import { fakeClock, retryWithoutWaiting, runCli } from './cli-helpers';
import { withEnv } from '../util/env';

const fake = new FakeAws();
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const aws = () => ({ endpoints: { sagemaker: fake.url, runtime: fake.url, cloudformation: fake.url }, credentials, ...retryWithoutWaiting(2) });
const epoch = (iso: string) => Date.parse(iso) / 1000;

function endpoint(name: string, status: string, extra: Record<string, unknown> = {}) {
  return sagemakerJson({
    EndpointName: name,
    EndpointArn: `arn:aws:sagemaker:us-east-1:111111111111:endpoint/${name}`,
    EndpointConfigName: `${name}-config`,
    EndpointStatus: status,
    CreationTime: epoch('2026-11-27T10:00:00Z'),
    LastModifiedTime: epoch('2026-11-27T10:30:00Z'),
    ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1, DesiredInstanceCount: 1 }],
    ...extra,
  });
}

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  for (const k of Object.keys(fake.handlers)) delete fake.handlers[k];
  fake.handlers.DescribeEndpointConfig = (r) => sagemakerJson({
    EndpointConfigName: JSON.parse(r.body).EndpointConfigName,
    ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.48xlarge', InitialInstanceCount: 1 }],
    CreationTime: epoch('2026-11-27T10:00:00Z'),
  });
});

describe('llm-recipes status', () => {
  test('lists the endpoints and clusters of the stacks tagged llm-recipe', async () => {
    fake.handlers.DescribeStacks = () => describeStacksXml([
      { name: 'Falcon40bG5Endpoint', status: 'CREATE_COMPLETE', outputs: { EndpointName: 'Falcon40b-abc' }, tags: { 'llm-recipe': 'falcon-40b-g5-endpoint' } },
      { name: 'FsdpParallelCluster', status: 'CREATE_COMPLETE', outputs: { FsdpClusterHeadNodeInstanceId1234: 'i-0123456789abcdef0' }, tags: { 'llm-recipe': 'fsdp-parallel-cluster' } },
      { name: 'SomethingElse', status: 'CREATE_COMPLETE', outputs: { EndpointNameOutput: 'not-ours' } },
    ]);
    fake.handlers.DescribeEndpoint = (r) => endpoint(JSON.parse(r.body).EndpointName, 'InService');
    const { code, stdout } = await runCli(['status'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stack\s+kind\s+name\s+status\s+instance\s+count\s+in service$/m);
    expect(stdout).toMatch(/^Falcon40bG5Endpoint\s+endpoint\s+Falcon40b-abc\s+InService\s+ml\.g5\.48xlarge\s+1\s+1h 30m$/m);
    expect(stdout).toMatch(/^FsdpParallelCluster\s+cluster\s+i-0123456789abcdef0\s+CREATE_COMPLETE\s+head node/m);
    expect(stdout).not.toMatch(/not-ours/);
    expect(fake.calls('DescribeEndpoint').map((r) => JSON.parse(r.body))).toEqual([{ EndpointName: 'Falcon40b-abc' }]);
    expect(fake.calls('DescribeEndpointConfig').map((r) => JSON.parse(r.body))).toEqual([{ EndpointConfigName: 'Falcon40b-abc-config' }]);
    const query = new URLSearchParams(fake.calls('DescribeStacks')[0].body);
    expect(query.get('Version')).toBe('2010-05-15');
    expect(fake.calls('DescribeStacks')[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/cloudformation\/aws4_request/);
  });

  test('--stack asks for one stack and --json returns the rows', async () => {
    fake.handlers.DescribeStacks = () => describeStacksXml([
      { name: 'Inf2LmiEndpoint', status: 'CREATE_IN_PROGRESS', outputs: { EndpointEndpointNameOutput1: 'Endpoint-x1' } },
    ]);
    fake.handlers.DescribeEndpoint = () => endpoint('Endpoint-x1', 'Creating');
    const { code, stdout } = await runCli(['status', '--stack', 'Inf2LmiEndpoint', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(new URLSearchParams(fake.calls('DescribeStacks')[0].body).get('StackName')).toBe('Inf2LmiEndpoint');
    expect(JSON.parse(stdout).resources).toEqual([expect.objectContaining({ stack: 'Inf2LmiEndpoint', kind: 'endpoint', name: 'Endpoint-x1', status: 'Creating', instanceType: 'ml.g5.48xlarge' })]);
  });

  test('an unknown stack is one clear line', async () => {
    fake.handlers.DescribeStacks = () => cloudFormationError('ValidationError', 'Stack with id Nope does not exist');
    const { code, stderr } = await runCli(['status', '--stack', 'Nope'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toBe("llm-recipes status: stack 'Nope' not found in this account and region\n");
  });

  test('access denied is one clear line', async () => {
    fake.handlers.DescribeStacks = () => cloudFormationError('AccessDenied', 'User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:DescribeStacks', 403);
    const { code, stderr } = await runCli(['status'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^llm-recipes status: access denied: User: arn:aws:iam::1:user\/x is not authorized/);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  test('throttling is retried, then reported in one line', async () => {
    fake.handlers.DescribeStacks = () => cloudFormationError('Throttling', 'Rate exceeded');
    const { code, stderr } = await runCli(['status'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/throttled by AWS after retries \(Throttling\)/);
    expect(fake.calls('DescribeStacks')).toHaveLength(2);
  });

  test('throttling then recovery succeeds', async () => {
    let n = 0;
    fake.handlers.DescribeStacks = () => (n++ === 0 ? cloudFormationError('Throttling', 'Rate exceeded') : describeStacksXml([]));
    const { code, stdout } = await runCli(['status'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(stdout).toMatch(/no recipe stacks/);
  });
});

describe('llm-recipes wait', () => {
  test('polls until InService, printing elapsed time and status', async () => {
    const states = ['Creating', 'Creating', 'InService'];
    fake.handlers.DescribeEndpoint = () => endpoint('Falcon40b-abc', states.shift() ?? 'InService');
    const clock = fakeClock();
    const { code, stdout, stderr } = await runCli(['wait', 'Falcon40b-abc', '--interval', '60'], { aws: aws(), clock });
    expect(code).toBe(0);
    expect(stderr).toBe('[0s] Falcon40b-abc: Creating\n[1m 00s] Falcon40b-abc: Creating\n[2m 00s] Falcon40b-abc: InService\n');
    expect(stdout).toBe('Falcon40b-abc is InService (1 x ml.g5.48xlarge) after 2m 00s\n');
    expect(clock.slept).toEqual([60000, 60000]);
  });

  test('exits 3 with the failure reason when the endpoint fails', async () => {
    fake.handlers.DescribeEndpoint = () => endpoint('Falcon40b-abc', 'Failed', { FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' });
    const { code, stdout } = await runCli(['wait', 'Falcon40b-abc'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(3);
    expect(stdout).toMatch(/Falcon40b-abc is Failed: The primary container for production variant AllTraffic did not pass the ping health check\./);
  });

  test('exits 4 at the timeout', async () => {
    fake.handlers.DescribeEndpoint = () => endpoint('Falcon40b-abc', 'Creating');
    const { code, stdout } = await runCli(['wait', 'Falcon40b-abc', '--interval', '30', '--timeout', '90', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(4);
    // Polls at 0, 30, 60 and 90 s; another 30 s would pass the 90 s timeout.
    expect(JSON.parse(stdout)).toMatchObject({ status: 'Creating', timedOut: true, elapsedSeconds: 90 });
    expect(fake.calls('DescribeEndpoint')).toHaveLength(4);
  });

  test('an endpoint that does not exist is one clear line', async () => {
    fake.handlers.DescribeEndpoint = () => sagemakerError('ValidationException', 'Could not find endpoint "nope".');
    const { code, stderr } = await runCli(['wait', 'nope'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toBe("llm-recipes wait: endpoint 'nope' not found in this account and region\n");
  });

  test.each([
    [['wait'], /wait needs an endpoint name/],
    [['wait', 'bad_name!'], /'bad_name!' is not a SageMaker endpoint name/],
    [['wait', 'x', '--interval', '0'], /--interval 0 must be at least 1/],
  ])('usage error %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv, { aws: aws(), clock: fakeClock() });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('llm-recipes invoke', () => {
  function payload(r: RecordedRequest) {
    return JSON.parse(r.body) as { inputs: string; parameters: { max_new_tokens: number; details: boolean } };
  }

  test('sends the LMI payload and prints the text, latency and tokens per second', async () => {
    fake.handlers.InvokeEndpoint = () => ({
      headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' },
      body: JSON.stringify({ generated_text: ' SageMaker is a managed ML service.', details: { generated_tokens: 9 } }),
    });
    // Each clock reading advances 1 s: the request takes 1 s.
    const clock = fakeClock(Date.parse('2026-11-27T12:00:00Z'), 1000);
    const { code, stdout } = await runCli(['invoke', 'Falcon40b-abc', 'What is SageMaker?', '--max-new-tokens', '64'], { aws: aws(), clock });
    expect(code).toBe(0);
    const call = fake.calls('InvokeEndpoint')[0];
    expect(call.path).toBe('/endpoints/Falcon40b-abc/invocations');
    expect(call.headers['content-type']).toBe('application/json');
    expect(payload(call)).toEqual({ inputs: 'What is SageMaker?', parameters: { max_new_tokens: 64, details: true } });
    expect(stdout).toBe(' SageMaker is a managed ML service.\nlatency 1.00 s, 9 tokens, 9.0 tokens/s\n');
  });

  test('reads the TGI list response form', async () => {
    fake.handlers.InvokeEndpoint = () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ generated_text: 'list form', details: { generated_tokens: 2 } }]) });
    const { code, stdout } = await runCli(['invoke', 'e1', 'hi', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ endpoint: 'e1', text: 'list form', tokens: 2 });
  });

  test('--stream prints tokens as the event stream delivers them, across split lines', async () => {
    fake.handlers.InvokeEndpointWithResponseStream = () => ({
      headers: { 'x-amzn-sagemaker-content-type': 'application/jsonlines' },
      streamParts: [
        '{"token": {"id": 1, "text": " Hello"}}\n{"token": {"id": 2, "te',
        'xt": ","}}\n',
        '{"token": {"id": 3, "text": " world"}}\n{"token": {"id": 4, "text": "</s>", "special": true}, "generated_text": " Hello, world"}\n',
      ],
    });
    const { code, stdout } = await runCli(['invoke', 'e1', 'Say hello', '--stream'], { aws: aws(), clock: fakeClock(0, 1000) });
    expect(code).toBe(0);
    expect(fake.calls('InvokeEndpointWithResponseStream')[0].path).toBe('/endpoints/e1/invocations-response-stream');
    // Clock readings: start (0 s), first token (1 s), end (2 s).
    expect(stdout).toBe(' Hello, world\nlatency 2.00 s, first token 1.00 s, 4 tokens, 2.0 tokens/s\n');
  });

  test('--stream --json returns the whole text', async () => {
    fake.handlers.InvokeEndpointWithResponseStream = () => ({ streamParts: ['{"token": {"text": "a"}}\n{"token": {"text": "b"}}\n'] });
    const { stdout } = await runCli(['invoke', 'e1', 'x', '--stream', '--json'], { aws: aws(), clock: fakeClock() });
    expect(JSON.parse(stdout)).toMatchObject({ text: 'ab', tokens: 2 });
  });

  test('a model error is one clear line', async () => {
    fake.handlers.InvokeEndpoint = () => runtimeError('ModelError', 'Received server error (500) from primary with message "CUDA out of memory"', 424);
    const { code, stderr } = await runCli(['invoke', 'e1', 'x'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^llm-recipes invoke: the model container answered with an error: Received server error \(500\)/);
  });

  test('an unknown endpoint is one clear line', async () => {
    fake.handlers.InvokeEndpoint = () => runtimeError('ValidationError', 'Endpoint nope of account 111111111111 not found.');
    const { code, stderr } = await runCli(['invoke', 'nope', 'x'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toBe("llm-recipes invoke: endpoint 'nope' not found in this account and region\n");
  });

  test('an answer without generated_text is reported, not crashed on', async () => {
    fake.handlers.InvokeEndpoint = () => ({ headers: { 'content-type': 'application/json' }, body: '{"error": "bad"}' });
    const { code, stderr } = await runCli(['invoke', 'e1', 'x'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/the endpoint's answer has no generated_text: \{"error": "bad"\}/);
  });

  test.each([
    [['invoke', 'e1'], /invoke needs a prompt/],
    [['invoke', 'e1', 'a', 'b'], /unexpected argument 'b' \(quote the prompt\)/],
    [['invoke', 'e1', 'x', '--max-new-tokens', '0'], /--max-new-tokens 0 must be at least 1/],
  ])('usage error %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv, { aws: aws(), clock: fakeClock() });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

/**
 * The SDK's own resolution of credentials and region reads process.env, as in the installed CLI:
 * these run with only the variables given (no profile files, no instance metadata), restored after.
 */
describe('credentials and region from the environment', () => {
  function withAwsEnvironment<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
    const cleared = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith('AWS_')).map((key) => [key, undefined]));
    return withEnv({
      ...cleared,
      HOME: '/nonexistent-home',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_ENDPOINT_URL: fake.url,
      AWS_MAX_ATTEMPTS: '1',
      ...vars,
    }, fn);
  }

  test('no credentials is one clear line and exit 1, never a stack trace', async () => {
    const r = await withAwsEnvironment({ AWS_REGION: 'us-east-1' }, () => runCli(['status'], { env: process.env as Record<string, string>, clock: fakeClock() }));
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'llm-recipes status: no AWS credentials found: configure a profile (aws configure, AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
    });
    expect(fake.requests).toEqual([]);
  });

  const keys = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' };
  const status = () => runCli(['status'], { env: process.env as Record<string, string>, clock: fakeClock() });

  test('the attempts are the SDK\'s: AWS_MAX_ATTEMPTS=1 sends a throttled call once', async () => {
    fake.handlers.DescribeStacks = () => cloudFormationError('Throttling', 'Rate exceeded');
    const r = await withAwsEnvironment({ ...keys, AWS_MAX_ATTEMPTS: '1' }, status);
    // One attempt: no "after retries".
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'llm-recipes status: throttled by AWS (Throttling); try again in a minute\n' });
    expect(fake.calls('DescribeStacks')).toHaveLength(1);
  });

  test('without AWS_MAX_ATTEMPTS, the SDK\'s default: a 5xx is tried 3 times', async () => {
    fake.handlers.DescribeStacks = () => cloudFormationError('InternalFailure', 'Internal failure', 500);
    const r = await withAwsEnvironment({ ...keys, AWS_MAX_ATTEMPTS: undefined }, status);
    expect(r.code).toBe(1);
    expect(fake.calls('DescribeStacks')).toHaveLength(3);
  });

  test('no region is one clear line', async () => {
    const r = await withAwsEnvironment({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' }, () => runCli(['wait', 'e1'], { env: process.env as Record<string, string>, clock: fakeClock() }));
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'llm-recipes wait: no AWS region: pass --region or set AWS_REGION\n' });
  });

  test('credentials, region and AWS_ENDPOINT_URL from the environment sign and send the call', async () => {
    fake.handlers.DescribeEndpoint = () => endpoint('e1', 'InService');
    const r = await withAwsEnvironment({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' }, () => runCli(['wait', 'e1'], { env: process.env as Record<string, string>, clock: fakeClock() }));
    expect(r.code).toBe(0);
    expect(fake.calls('DescribeEndpoint')[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/sagemaker\/aws4_request/);
  });
});
