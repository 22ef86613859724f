import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkRecords, defaultRunName, type FinetuneEndpoints } from '../../bin/cli/finetune';
import type { AwsContext } from '../../bin/cli/aws';
import {
  cloudFormationError, describeStacksXml, FakeAws, s3Error, sagemakerError, sagemakerJson, sfnError, sfnJson,
} from '../util/fake-aws';
import { fakeClock, retryWithoutWaiting, runCli } from './cli-helpers';

const FIXTURES = path.join(__dirname, '..', 'training', 'lora', 'fixtures');
const fake = new FakeAws();
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const aws = (): Omit<AwsContext, 'region'> & { endpoints: FinetuneEndpoints } => ({
  endpoints: { sagemaker: fake.url, cloudformation: fake.url, s3: fake.url, sfn: fake.url },
  credentials,
  ...retryWithoutWaiting(2),
});
const BUCKET = 'lorafinetuning-bucket-1abc';
const STATE_MACHINE = 'arn:aws:states:us-east-1:111111111111:stateMachine:FineTuning-abc';
const epoch = (iso: string) => Date.parse(iso) / 1000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-'));

const LIMITS = JSON.stringify({ maxSeqLength: 2048, loraRank: 16 });

function recipeStack(outputs: Record<string, string> = { FineTuningBucketName: BUCKET, FineTuningStateMachineArn: STATE_MACHINE, FineTuningRunLimits: LIMITS }) {
  return () => describeStacksXml([{ name: 'LoraFineTuning', status: 'CREATE_COMPLETE', outputs }]);
}

function dataFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  for (const k of Object.keys(fake.handlers)) delete fake.handlers[k];
});

describe('record validation mirrors the training script', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf-8')) as Record<string, { records: number; problems: string[] }>;
  const names = fs.readdirSync(FIXTURES).filter((f) => /\.(json|jsonl)$/.test(f) && f !== 'expected.json').sort();

  test('the fixtures are the ones the Python test checks', () => {
    expect(Object.keys(expected).sort()).toEqual(names);
  });

  test.each(names)('%s gives the problems records.py gives (expected.json)', (name) => {
    const { problems, records } = checkRecords(name, fs.readFileSync(path.join(FIXTURES, name), 'utf-8'));
    expect({ records, problems }).toEqual(expected[name]);
  });

  test('the edge cases of the Python tests', () => {
    expect(checkRecords('a.json', '[\n {"instruction": "a", "output": "b"},\n\n {"instruction": "c", "output": ""}\n]').problems)
      .toEqual(['a.json:4: "output" must be a non-empty string (it is empty)']);
    expect(checkRecords('a.json', '{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}\n')).toEqual({ problems: [], records: 2, kind: 'instruction' });
    expect(checkRecords('a.json', '[{"instruction": "a", "output": "b"}]\n\nx').problems).toEqual(['a.json:3: text after the closing ] of the array']);
    expect(checkRecords('a.json', '[{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}]').problems)
      .toEqual(["a.json:2: expected ',' or ']' after a record; records after it were not read"]);
    expect(checkRecords('a.jsonl', '{"instruction": "a", "output": "b", "x": NaN}').problems).toEqual(['a.jsonl:1: not valid JSON (JSON Lines holds one object per line)']);
    expect(checkRecords('a.json', '\ufeff[{"instruction": "a", "output": "b"}]')).toEqual({ problems: [], records: 1, kind: 'instruction' });
    expect(checkRecords('c.jsonl', '{"messages": [{"content": "a"}]}').problems).toEqual(['c.jsonl:1: messages[0].role must be one of system, user, assistant (it is null)']);
  });
});

describe('llm-recipes finetune upload', () => {
  test('validates, then puts the file at data/<name> in the stack\'s bucket with the bucket\'s default encryption', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.PutObject = () => ({ headers: { etag: '"abc123"' } });
    const file = path.join(FIXTURES, 'alpaca-en.jsonl');
    const { code, stdout, stderr } = await runCli(['finetune', 'upload', file], { aws: aws(), clock: fakeClock() });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`uploaded 2 instruction record(s) (${fs.statSync(file).size} bytes) to s3://${BUCKET}/data/alpaca-en.jsonl\n`
      + 'every file under data/ trains together; start a run with: llm-recipes finetune start\n');
    expect(new URLSearchParams(fake.calls('DescribeStacks')[0].body).get('StackName')).toBe('LoraFineTuning');
    const [put] = fake.calls('PutObject');
    expect(put.path.split('?')[0]).toBe(`/${BUCKET}/data/alpaca-en.jsonl`);
    expect(put.bytes).toEqual(fs.readFileSync(file));
    expect(put.headers['content-type']).toBe('application/x-ndjson');
    expect(put.headers['x-amz-server-side-encryption']).toBeUndefined();
    expect(put.headers.authorization).toMatch(/Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request/);
  });

  test('--json and --stack', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.PutObject = () => ({ headers: { etag: '"e1"' } });
    const { code, stdout } = await runCli(['finetune', 'upload', path.join(FIXTURES, 'dolly-ja.json'), '--stack', 'MyTuning', '--json'], { aws: aws() });
    expect(code).toBe(0);
    expect(new URLSearchParams(fake.calls('DescribeStacks')[0].body).get('StackName')).toBe('MyTuning');
    expect(JSON.parse(stdout)).toEqual({
      stack: 'MyTuning', bucket: BUCKET, key: 'data/dolly-ja.json', uri: `s3://${BUCKET}/data/dolly-ja.json`, records: 2, format: 'instruction',
      bytes: fs.statSync(path.join(FIXTURES, 'dolly-ja.json')).size, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), etag: '"e1"',
    });
    expect(fake.calls('PutObject')[0].headers['content-type']).toBe('application/json');
  });

  test('bad records are listed with their line numbers and nothing is uploaded', async () => {
    const { code, stderr } = await runCli(['finetune', 'upload', path.join(FIXTURES, 'bad-records.jsonl')], { aws: aws() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^llm-recipes finetune upload: bad-records.jsonl has 13 problem\(s\); nothing was uploaded:\n {2}bad-records.jsonl:2: "instruction" must be a non-empty string \(it is empty\)\n/);
    expect(stderr).toMatch(/ {2}bad-records.jsonl:13: not valid JSON/);
    expect(fake.requests).toEqual([]);
  });

  test('--json reports bad records as a JSON error', async () => {
    const { code, stderr } = await runCli(['finetune', 'upload', path.join(FIXTURES, 'mixed.jsonl'), '--json'], { aws: aws() });
    expect(code).toBe(1);
    expect(JSON.parse(stderr).error).toEqual({ command: 'finetune upload', exitCode: 1, message: expect.stringMatching(/mixes instruction records \(first at mixed.jsonl:1\)/) });
  });

  test('a file that is not UTF-8, is empty, is missing or has another extension', async () => {
    const latin1 = dataFile('latin1.jsonl', '');
    fs.writeFileSync(latin1, Buffer.from([0x7b, 0xe9, 0x7d]));
    expect((await runCli(['finetune', 'upload', latin1], { aws: aws() })).stderr).toBe('llm-recipes finetune upload: latin1.jsonl: not UTF-8 text\n');
    expect((await runCli(['finetune', 'upload', dataFile('empty.jsonl', '\n\n')], { aws: aws() })).stderr).toMatch(/empty.jsonl holds no records; nothing was uploaded/);
    const missing = await runCli(['finetune', 'upload', path.join(tmp, 'nope.jsonl')], { aws: aws() });
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read .*nope.jsonl: ENOENT/) });
    const csv = await runCli(['finetune', 'upload', dataFile('data.csv', 'a,b')], { aws: aws() });
    expect(csv).toMatchObject({ code: 2, stderr: expect.stringMatching(/'data.csv' must end in .json or .jsonl/) });
    expect((await runCli(['finetune', 'upload'], { aws: aws() })).code).toBe(2);
    expect(fake.requests).toEqual([]);
  });

  test('a missing stack, a stack without the output, access denied, throttling', async () => {
    const file = path.join(FIXTURES, 'chat.jsonl');
    fake.handlers.DescribeStacks = () => cloudFormationError('ValidationError', 'Stack with id LoraFineTuning does not exist');
    expect((await runCli(['finetune', 'upload', file], { aws: aws() })).stderr).toBe("llm-recipes finetune upload: stack 'LoraFineTuning' not found in this account and region\n");

    fake.handlers.DescribeStacks = recipeStack({ SomethingElse: 'x' });
    expect((await runCli(['finetune', 'upload', file], { aws: aws() })).stderr).toMatch(/stack 'LoraFineTuning' has no output FineTuningBucketName/);

    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.PutObject = () => s3Error('AccessDenied', 'User is not authorized to perform: s3:PutObject', 403);
    const denied = await runCli(['finetune', 'upload', file], { aws: aws() });
    expect(denied).toMatchObject({ code: 1, stderr: 'llm-recipes finetune upload: access denied: User is not authorized to perform: s3:PutObject\n' });

    fake.requests.length = 0;
    fake.handlers.PutObject = () => s3Error('SlowDown', 'Please reduce your request rate.', 503);
    const slow = await runCli(['finetune', 'upload', file], { aws: aws() });
    expect(slow).toMatchObject({ code: 1, stderr: expect.stringMatching(/throttled by AWS after retries \(SlowDown\)/) });
    expect(fake.calls('PutObject')).toHaveLength(2);

    fake.handlers.PutObject = () => s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
    expect((await runCli(['finetune', 'upload', file], { aws: aws() })).stderr).toMatch(/bucket 'lorafinetuning-bucket-1abc' does not exist; redeploy stack 'LoraFineTuning'/);
  });
});

describe('llm-recipes finetune start', () => {
  const started = () => sfnJson({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:run`, startDate: epoch('2026-11-27T12:00:01Z') });

  test('starts an execution named lora-<yyyymmdd-hhmmss> with no overrides', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = started;
    const { code, stdout } = await runCli(['finetune', 'start'], { aws: aws(), clock: fakeClock(Date.parse('2026-11-27T08:05:09Z')) });
    expect(code).toBe(0);
    const [call] = fake.calls('StartExecution');
    expect(call.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(call.body)).toEqual({ stateMachineArn: STATE_MACHINE, name: 'lora-20261127-080509', input: '{}' });
    expect(stdout).toMatch(/^started run lora-20261127-080509 \(the stack's defaults\)\nexecution arn:aws:states:.*\nfollow it with: llm-recipes finetune status lora-20261127-080509\n$/);
  });

  test('sends every override in the execution input, and --json', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = started;
    const { code, stdout } = await runCli(['finetune', 'start', '--run-name', 'dolly-ja-r16', '--epochs', '2', '--learning-rate', '1e-4', '--max-seq-length', '1024',
      '--lora-rank', '8', '--output', 'adapter', '--data-prefix', 'data/ja/', '--stack', 'Tuning2', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    const input = { epochs: 2, learningRate: 0.0001, maxSeqLength: 1024, loraRank: 8, output: 'adapter', dataPrefix: 'data/ja/' };
    expect(JSON.parse(JSON.parse(fake.calls('StartExecution')[0].body).input)).toEqual(input);
    expect(JSON.parse(stdout)).toEqual({
      stack: 'Tuning2', runName: 'dolly-ja-r16', trainingJobName: 'dolly-ja-r16', executionArn: expect.stringMatching(/:execution:/), startDate: '2026-11-27T12:00:01.000Z', input,
    });
  });

  test.each([
    [['--run-name', 'bad_name'], /--run-name 'bad_name' is not a training job name/],
    [['--run-name', `a${'b'.repeat(63)}`], /is not a training job name/],
    [['--epochs', '0'], /--epochs 0 must be at least 1/],
    [['--epochs', '1.5'], /--epochs 1.5 must be a whole number/],
    [['--max-seq-length', '512.5'], /--max-seq-length 512.5 must be a whole number/],
    [['--learning-rate', '2'], /--learning-rate 2 must be above 0 and below 1/],
    [['--max-seq-length', '0'], /--max-seq-length 0 must be at least 1/],
    [['--lora-rank', '0'], /--lora-rank 0 must be at least 1/],
    [['--lora-rank', '2.5'], /--lora-rank 2.5 must be a whole number/],
    [['--output', 'gguf'], /--output 'gguf' must be merged or adapter/],
    [['--data-prefix', 's3://b/data/'], /--data-prefix 's3:\/\/b\/data\/' must be a key prefix/],
    [['--data-prefix', 'data'], /must be a key prefix under data\/ in the stack's bucket, ending in \//],
    [['--data-prefix', 'other/'], /--data-prefix 'other\/' must be a key prefix under data\/ .*the training role reads only data\/\*/],
    [['--data-prefix', '/data/x/'], /must be a key prefix under data\//],
    [['--lora-alpha', '16'], /unknown option --lora-alpha/],
  ])('%j is a usage error before any AWS call', async (args, message) => {
    const { code, stderr } = await runCli(['finetune', 'start', ...args], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(fake.requests).toEqual([]);
  });

  test.each([
    [['--max-seq-length', '4096'], /--max-seq-length 4096 is above 2048, stack 'LoraFineTuning''s maxSequenceLength, which its memory check sized for the GPU; pass at most 2048/],
    [['--lora-rank', '32'], /--lora-rank 32 is above 16, stack 'LoraFineTuning''s loraRank/],
  ])('%j above the stack\'s sized value is refused after DescribeStacks and before StartExecution', async (args, message) => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = started;
    const { code, stderr } = await runCli(['finetune', 'start', ...args], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(fake.calls('DescribeStacks')).toHaveLength(1);
    expect(fake.calls('StartExecution')).toHaveLength(0);
  });

  test('the sized values themselves are accepted; a stack without FineTuningRunLimits leaves the cap to the state machine', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = started;
    expect((await runCli(['finetune', 'start', '--max-seq-length', '2048', '--lora-rank', '16'], { aws: aws(), clock: fakeClock() })).code).toBe(0);
    fake.handlers.DescribeStacks = recipeStack({ FineTuningBucketName: BUCKET, FineTuningStateMachineArn: STATE_MACHINE });
    expect((await runCli(['finetune', 'start', '--lora-rank', '64'], { aws: aws(), clock: fakeClock() })).code).toBe(0);
    expect(JSON.parse(JSON.parse(fake.calls('StartExecution')[1].body).input)).toEqual({ loraRank: 64 });
  });

  test('a Step Functions 5xx after the retries says the same run name is safe to retry', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = () => sfnError('InternalServerError', 'We encountered an internal error', 500);
    const { code, stderr } = await runCli(['finetune', 'start', '--run-name', 'r5'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toBe('llm-recipes finetune start: AWS answered 500 (InternalServerError) after retries: We encountered an internal error; '
      + 'the run may have started: run the same command with --run-name r5 again\n');
    expect(fake.calls('StartExecution')).toHaveLength(2);
    const sent = fake.calls('StartExecution').map((c) => JSON.parse(c.body) as { name: string });
    expect(sent.map((b) => b.name)).toEqual(['r5', 'r5']);
  });

  test('a run name in use, a deleted state machine, access denied, throttling', async () => {
    fake.handlers.DescribeStacks = recipeStack();
    fake.handlers.StartExecution = () => sfnError('ExecutionAlreadyExists', 'Execution Already Exists');
    expect((await runCli(['finetune', 'start', '--run-name', 'r1'], { aws: aws() })).stderr).toBe("llm-recipes finetune start: a run named 'r1' already exists; choose another --run-name\n");
    fake.handlers.StartExecution = () => sfnError('StateMachineDoesNotExist', 'State Machine Does Not Exist');
    expect((await runCli(['finetune', 'start', '--run-name', 'r1'], { aws: aws() })).stderr).toMatch(/the stack's state machine is gone \(StateMachineDoesNotExist\); redeploy stack 'LoraFineTuning'/);
    fake.handlers.StartExecution = () => sfnError('AccessDeniedException', 'not authorized to perform: states:StartExecution');
    expect((await runCli(['finetune', 'start', '--run-name', 'r1'], { aws: aws() })).stderr).toMatch(/access denied: not authorized to perform: states:StartExecution/);
    fake.requests.length = 0;
    fake.handlers.StartExecution = () => sfnError('ThrottlingException', 'Rate exceeded');
    const throttled = await runCli(['finetune', 'start', '--run-name', 'r1', '--json'], { aws: aws() });
    expect(throttled.code).toBe(1);
    expect(JSON.parse(throttled.stderr).error.message).toMatch(/throttled by AWS after retries \(ThrottlingException\)/);
    expect(fake.calls('StartExecution')).toHaveLength(2);
    fake.handlers.DescribeStacks = recipeStack({ FineTuningBucketName: BUCKET });
    expect((await runCli(['finetune', 'start'], { aws: aws(), clock: fakeClock() })).stderr).toMatch(/has no output FineTuningStateMachineArn/);
  });

  test('the default run name is a valid training job name', () => {
    expect(defaultRunName(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('lora-20260102-030405');
  });
});

describe('llm-recipes finetune status', () => {
  const job = (extra: Record<string, unknown>) => sagemakerJson({
    TrainingJobName: 'dolly-ja-r16',
    TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/dolly-ja-r16',
    CreationTime: epoch('2026-11-27T10:00:00Z'),
    TrainingStartTime: epoch('2026-11-27T10:05:00Z'),
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/output/`, CompressionType: 'NONE' },
    ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 },
    EnableManagedSpotTraining: true,
    AlgorithmSpecification: { TrainingInputMode: 'File', TrainingImage: 'x' },
    StoppingCondition: { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 },
    ...extra,
  });

  test('a running spot job: secondary status, elapsed time, the expected output prefix', async () => {
    fake.handlers.DescribeTrainingJob = () => job({
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Training',
      SecondaryStatusTransitions: [
        { Status: 'Starting', StartTime: epoch('2026-11-27T10:00:00Z'), StatusMessage: 'Preparing the instances for training' },
        { Status: 'Training', StartTime: epoch('2026-11-27T10:05:00Z'), StatusMessage: 'Training image download completed. Training in progress.' },
      ],
    });
    const { code, stdout } = await runCli(['finetune', 'status', 'dolly-ja-r16'], { aws: aws(), clock: fakeClock(Date.parse('2026-11-27T11:10:00Z')) });
    expect(code).toBe(0);
    expect(JSON.parse(fake.calls('DescribeTrainingJob')[0].body)).toEqual({ TrainingJobName: 'dolly-ja-r16' });
    expect(stdout).toBe([
      'run           dolly-ja-r16',
      'status        InProgress / Training: Training image download completed. Training in progress.',
      'instance      1 x ml.g5.2xlarge (spot)',
      'elapsed       1h 05m',
      'billable      -',
      'spot savings  known when the job ends',
      `output        s3://${BUCKET}/output/dolly-ja-r16/output/model/ (when the job completes)`,
    ].join('\n') + '\n');
  });

  test('a completed spot job: billable time, savings and the model\'s S3 prefix, with --json', async () => {
    fake.handlers.DescribeTrainingJob = () => job({
      TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', TrainingEndTime: epoch('2026-11-27T11:05:00Z'),
      TrainingTimeInSeconds: 3600, BillableTimeInSeconds: 1200, ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/output/dolly-ja-r16/output/model/` },
    });
    const text = await runCli(['finetune', 'status', 'dolly-ja-r16'], { aws: aws(), clock: fakeClock() });
    expect(text.stdout).toMatch(/^billable {6}20m 00s$/m);
    expect(text.stdout).toMatch(/^spot savings {2}67%$/m);
    expect(text.stdout).toMatch(new RegExp(`^output {8}s3://${BUCKET}/output/dolly-ja-r16/output/model/$`, 'm'));
    const { code, stdout } = await runCli(['finetune', 'status', 'dolly-ja-r16', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      runName: 'dolly-ja-r16', status: 'Completed', secondaryStatus: 'Completed', statusMessage: null, failureReason: null, instanceType: 'ml.g5.2xlarge',
      instanceCount: 1, spot: true, elapsedSeconds: 3600, trainingSeconds: 3600, billableSeconds: 1200, spotSavings: 1 - 1200 / 3600,
      output: `s3://${BUCKET}/output/dolly-ja-r16/output/model/`, outputFinal: true,
    });
  });

  test('a failed on-demand job shows SageMaker\'s reason', async () => {
    fake.handlers.DescribeTrainingJob = () => job({
      TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', EnableManagedSpotTraining: false, TrainingEndTime: epoch('2026-11-27T10:07:30Z'),
      FailureReason: 'AlgorithmError: a.jsonl:1: "output" must be a non-empty string (missing)',
    });
    const { code, stdout } = await runCli(['finetune', 'status', 'dolly-ja-r16'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^failure {7}AlgorithmError: a.jsonl:1: "output" must be a non-empty string \(missing\)$/m);
    expect(stdout).toMatch(/^elapsed {7}2m 30s$/m);
    expect(stdout).toMatch(/^spot savings {2}spot not used$/m);
  });

  test('billable time is per instance: a two-instance job says so', async () => {
    fake.handlers.DescribeTrainingJob = () => job({
      TrainingJobStatus: 'Completed', ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: 2, VolumeSizeInGB: 100 },
      EnableManagedSpotTraining: false, TrainingTimeInSeconds: 600, BillableTimeInSeconds: 600,
    });
    const { stdout } = await runCli(['finetune', 'status', 'dolly-ja-r16'], { aws: aws(), clock: fakeClock() });
    expect(stdout).toMatch(/^instance {6}2 x ml\.g5\.12xlarge$/m);
    expect(stdout).toMatch(/^billable {6}10m 00s per instance, x 2$/m);
  });

  test('a SageMaker 5xx after the retries is one line, exit 1', async () => {
    fake.handlers.DescribeTrainingJob = () => sagemakerError('ServiceUnavailable', 'Service is unavailable', 503);
    const { code, stdout, stderr } = await runCli(['finetune', 'status', 'dolly-ja-r16', '--json'], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr).error.message).toBe('AWS answered 503 (ServiceUnavailable) after retries: Service is unavailable; try again in a minute');
    expect(fake.calls('DescribeTrainingJob')).toHaveLength(2);
  });

  test('no such job, access denied, throttling, a bad name', async () => {
    fake.handlers.DescribeTrainingJob = () => sagemakerError('ResourceNotFound', 'Requested resource not found.');
    expect((await runCli(['finetune', 'status', 'nope'], { aws: aws() })).stderr).toMatch(/^llm-recipes finetune status: training job 'nope' not found in this account and region/);
    fake.handlers.DescribeTrainingJob = () => sagemakerError('ValidationException', 'Requested resource not found.');
    expect((await runCli(['finetune', 'status', 'nope'], { aws: aws() })).stderr).toMatch(/training job 'nope' not found/);
    fake.handlers.DescribeTrainingJob = () => sagemakerError('AccessDeniedException', 'not authorized to perform: sagemaker:DescribeTrainingJob', 403);
    expect((await runCli(['finetune', 'status', 'nope'], { aws: aws() })).stderr).toMatch(/access denied: not authorized to perform: sagemaker:DescribeTrainingJob/);
    fake.handlers.DescribeTrainingJob = () => sagemakerError('ThrottlingException', 'Rate exceeded');
    const throttled = await runCli(['finetune', 'status', 'nope'], { aws: aws() });
    expect(throttled).toMatchObject({ code: 1, stderr: expect.stringMatching(/throttled by AWS after retries/) });
    fake.requests.length = 0;
    expect((await runCli(['finetune', 'status', 'no_such'], { aws: aws() })).code).toBe(2);
    expect((await runCli(['finetune', 'status'], { aws: aws() })).code).toBe(2);
    expect(fake.requests).toEqual([]);
  });
});

describe('llm-recipes finetune help', () => {
  test('each subcommand has help and the main help lists them', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/finetune upload <file.jsonl>[\s\S]*finetune start[\s\S]*finetune status <run-name>/);
    for (const sub of ['upload', 'start', 'status']) {
      const { code, stdout } = await runCli(['finetune', sub, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^llm-recipes finetune ${sub}`));
    }
    expect((await runCli(['finetune', 'train'])).stderr).toMatch(/unknown command 'finetune train'/);
  });
});
