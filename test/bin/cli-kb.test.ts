import {
  bedrockError, dataSourcesResult, FakeBedrockAgent, ingestionJobResult, ingestionJobsResult, type BedrockReply, type BedrockRecordedRequest, type FakeJob,
} from '../util/fake-bedrock';
import { fakeClock, retryWithoutWaiting, runCli } from './cli-helpers';

/** `llm-recipes kb sync|status`, in process, through the real Bedrock Agent client against the loopback fake. */

const KB = 'KBABCDEFGH';
const DS = 'DS12345678';
const fake = new FakeBedrockAgent();
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
// two attempts: the SDK's own retry of a throttle shows, and a test stays quick
const aws = () => ({ endpoints: { bedrockAgent: fake.url }, credentials, ...retryWithoutWaiting(2) });

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** A route answering with the jobs in order (the last one repeated). */
function jobsInOrder(...jobs: FakeJob[]): (req: BedrockRecordedRequest) => BedrockReply {
  let next = 0;
  return (req) => ingestionJobResult(req, jobs[Math.min(next++, jobs.length - 1)]);
}

function oneDataSource(): void {
  fake.routes.ListDataSources = () => dataSourcesResult(KB, [{ id: DS, name: 'documents' }]);
}

describe('llm-recipes kb sync', () => {
  test('starts a job on the only data source and waits, one progress line per change', async () => {
    oneDataSource();
    fake.routes.StartIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000001', status: 'STARTING' }, 202);
    fake.routes.GetIngestionJob = jobsInOrder(
      { id: 'JOB0000001', status: 'IN_PROGRESS', scanned: 10, indexed: 4 },
      { id: 'JOB0000001', status: 'IN_PROGRESS', scanned: 10, indexed: 4 },
      { id: 'JOB0000001', status: 'COMPLETE', scanned: 12, indexed: 9, modified: 2, deleted: 1 },
    );
    const clock = fakeClock();

    const { code, stdout, stderr } = await runCli(['kb', 'sync', KB], { aws: aws(), clock });

    expect(code).toBe(0);
    expect(stdout).toBe(`ingestion job JOB0000001 COMPLETE after 30s: scanned 12, indexed 9, modified 2, deleted 1, failed 0\n`);
    expect(stderr.split('\n')).toEqual([
      `[0s] ${KB}/${DS} job JOB0000001: STARTING scanned 0, indexed 0, modified 0, deleted 0, failed 0`,
      `[10s] ${KB}/${DS} job JOB0000001: IN_PROGRESS scanned 10, indexed 4, modified 0, deleted 0, failed 0`,
      `[30s] ${KB}/${DS} job JOB0000001: COMPLETE scanned 12, indexed 9, modified 2, deleted 1, failed 0`,
      '',
    ]);
    expect(clock.slept).toEqual([10000, 10000, 10000]);
    // the requests: ListDataSources, then StartIngestionJob and GetIngestionJob on that data source
    expect(fake.calls('ListDataSources').map((r) => r.knowledgeBaseId)).toEqual([KB]);
    const [start] = fake.calls('StartIngestionJob');
    expect(start).toMatchObject({ method: 'PUT', knowledgeBaseId: KB, dataSourceId: DS });
    expect(start.json).toMatchObject({ description: 'llm-recipes kb sync', clientToken: expect.any(String) });
    expect(start.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(fake.calls('GetIngestionJob').map((r) => [r.dataSourceId, r.ingestionJobId])).toEqual(Array(3).fill([DS, 'JOB0000001']));
  });

  test('--data-source skips ListDataSources; --json prints the job and no progress', async () => {
    fake.routes.StartIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000002', status: 'COMPLETE', scanned: 3, indexed: 3 }, 202);

    const { code, stdout, stderr } = await runCli(['kb', 'sync', KB, '--data-source', DS, '--json'], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(fake.calls('ListDataSources')).toHaveLength(0);
    expect(JSON.parse(stdout)).toEqual({
      knowledgeBaseId: KB, dataSourceId: DS, ingestionJobId: 'JOB0000002', status: 'COMPLETE',
      startedAt: '2026-11-30T12:00:00.000Z', updatedAt: '2026-11-30T12:05:00.000Z',
      statistics: { scanned: 3, indexed: 3, modified: 0, deleted: 0, failed: 0 }, failureReasons: [], elapsedSeconds: 0,
    });
  });

  test('a failed job exits 3 with its failure reasons', async () => {
    oneDataSource();
    fake.routes.StartIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000003', status: 'STARTING' }, 202);
    fake.routes.GetIngestionJob = jobsInOrder({
      id: 'JOB0000003', status: 'FAILED', scanned: 5, failed: 5,
      failureReasons: ['Access denied to s3://docs-bucket', 'The embedding model is not enabled in this Region'],
    });

    const text = await runCli(['kb', 'sync', KB], { aws: aws(), clock: fakeClock() });
    const json = await runCli(['kb', 'sync', KB, '--json'], { aws: aws(), clock: fakeClock() });

    expect(text.code).toBe(3);
    expect(text.stdout).toBe('ingestion job JOB0000003 FAILED after 10s: Access denied to s3://docs-bucket; The embedding model is not enabled in this Region\n'
      + 'scanned 5, indexed 0, modified 0, deleted 0, failed 5\n');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'FAILED', failureReasons: ['Access denied to s3://docs-bucket', 'The embedding model is not enabled in this Region'] });
  });

  test('a job that completes with failed documents exits 0 and says why they failed', async () => {
    oneDataSource();
    fake.routes.StartIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000006', status: 'STARTING' }, 202);
    fake.routes.GetIngestionJob = jobsInOrder({
      id: 'JOB0000006', status: 'COMPLETE', scanned: 4, indexed: 2, failed: 2,
      failureReasons: ['s3://docs-bucket/a.pdf: file size exceeds 50 MB', 's3://docs-bucket/b.xls: unsupported file type'],
    });

    const text = await runCli(['kb', 'sync', KB], { aws: aws(), clock: fakeClock() });
    const json = await runCli(['kb', 'sync', KB, '--json'], { aws: aws(), clock: fakeClock() });

    expect(text.code).toBe(0);
    expect(text.stdout).toBe('ingestion job JOB0000006 COMPLETE after 10s: scanned 4, indexed 2, modified 0, deleted 0, failed 2\n'
      + '2 document(s) failed: s3://docs-bucket/a.pdf: file size exceeds 50 MB; s3://docs-bucket/b.xls: unsupported file type\n');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'COMPLETE', statistics: { failed: 2 }, failureReasons: ['s3://docs-bucket/a.pdf: file size exceeds 50 MB', 's3://docs-bucket/b.xls: unsupported file type'] });
  });

  test('a job StartIngestionJob reports COMPLETE with failed documents is fetched once for its reasons', async () => {
    // StartIngestionJob's answer carries no reasons here; GetIngestionJob's does.
    fake.routes.StartIngestionJob = (req) => ({ status: 202, body: JSON.stringify({ ingestionJob: { ...JSON.parse(ingestionJobResult(req, { id: 'JOB0000007', status: 'COMPLETE', scanned: 1, failed: 1 }).body!).ingestionJob, failureReasons: [] } }) });
    fake.routes.GetIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000007', status: 'COMPLETE', scanned: 1, failed: 1, failureReasons: ['s3://docs-bucket/c.txt: empty document'] });

    const { code, stdout } = await runCli(['kb', 'sync', KB, '--data-source', DS], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(0);
    expect(stdout).toMatch(/\n1 document\(s\) failed: s3:\/\/docs-bucket\/c.txt: empty document\n$/);
    expect(fake.calls('GetIngestionJob')).toHaveLength(1);
  });

  test('gives up after --timeout with exit 4; the job keeps running', async () => {
    fake.routes.StartIngestionJob = (req) => ingestionJobResult(req, { id: 'JOB0000004', status: 'IN_PROGRESS' }, 202);
    fake.routes.GetIngestionJob = jobsInOrder({ id: 'JOB0000004', status: 'IN_PROGRESS', scanned: 1 });

    const { code, stdout } = await runCli(['kb', 'sync', KB, '--data-source', DS, '--interval', '30', '--timeout', '90'], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(4);
    expect(stdout).toBe(`ingestion job JOB0000004 is still IN_PROGRESS after 1m 30s (timeout 1m 30s); it keeps running: llm-recipes kb status ${KB}\n`);
  });

  test('a knowledge base with several data sources needs --data-source, and the error lists them', async () => {
    fake.routes.ListDataSources = () => dataSourcesResult(KB, [{ id: DS, name: 'documents' }, { id: 'WEB0000001', name: 'intranet' }]);

    const text = await runCli(['kb', 'sync', KB], { aws: aws(), clock: fakeClock() });
    const json = await runCli(['kb', 'sync', KB, '--json'], { aws: aws(), clock: fakeClock() });

    expect(text.code).toBe(2);
    expect(text.stderr).toBe(`llm-recipes kb sync: knowledge base '${KB}' has 2 data sources; choose one with --data-source: ${DS} (documents), WEB0000001 (intranet)\nsee: llm-recipes kb sync --help\n`);
    expect(JSON.parse(json.stderr)).toEqual({ error: expect.objectContaining({ command: 'kb sync', exitCode: 2, message: expect.stringMatching(/has 2 data sources/) }) });
    expect(fake.calls('StartIngestionJob')).toHaveLength(0);
  });

  test('a knowledge base without data sources is an error', async () => {
    fake.routes.ListDataSources = () => dataSourcesResult(KB, []);
    const { code, stderr } = await runCli(['kb', 'sync', KB], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(1);
    expect(stderr).toBe(`llm-recipes kb sync: knowledge base '${KB}' has no data sources to sync\n`);
  });

  test.each<[string, () => void, string[], RegExp]>([
    ['no such knowledge base', () => { fake.routes.ListDataSources = () => bedrockError('ResourceNotFoundException', `Knowledge base ${KB} is not found`, 404); }, [],
      new RegExp(`^llm-recipes kb sync: knowledge base '${KB}' not found in this account and region \\(Knowledge base ${KB} is not found\\)\n$`)],
    ['no such data source', () => { fake.routes.StartIngestionJob = () => bedrockError('ResourceNotFoundException', 'Data source not found', 404); }, ['--data-source', DS],
      new RegExp(`^llm-recipes kb sync: knowledge base '${KB}' or its data source '${DS}' not found in this account and region`)],
    ['access denied', () => { fake.routes.ListDataSources = () => bedrockError('AccessDeniedException', 'User is not authorized to perform: bedrock:ListDataSources', 403); }, [],
      /^llm-recipes kb sync: access denied: User is not authorized to perform: bedrock:ListDataSources\n$/],
    ['throttling past the SDK\'s retries', () => { fake.routes.StartIngestionJob = () => bedrockError('ThrottlingException', 'Rate exceeded', 429); }, ['--data-source', DS],
      /^llm-recipes kb sync: throttled by AWS after retries \(ThrottlingException\); try again in a minute\n$/],
    ['a sync already running', () => { fake.routes.StartIngestionJob = () => bedrockError('ConflictException', 'An ingestion job is already in progress for this data source', 409); }, ['--data-source', DS],
      new RegExp(`^llm-recipes kb sync: the knowledge base is busy: An ingestion job is already in progress for this data source \\(see llm-recipes kb status ${KB}\\)\n$`)],
  ])('%s: one clear line and exit 1 (and a JSON error with --json)', async (_name, given, args, message) => {
    given();

    const text = await runCli(['kb', 'sync', KB, ...args], { aws: aws(), clock: fakeClock() });
    const json = await runCli(['kb', 'sync', KB, ...args, '--json'], { aws: aws(), clock: fakeClock() });

    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(message);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ error: { command: 'kb sync', message: text.stderr.replace(/^llm-recipes kb sync: /, '').trimEnd(), exitCode: 1 } });
  });

  test('a 5xx on every attempt: the SDK retries it, then one clear line and exit 1', async () => {
    fake.routes.StartIngestionJob = () => bedrockError('InternalServerException', 'Internal failure', 500);

    const { code, stdout, stderr } = await runCli(['kb', 'sync', KB, '--data-source', DS], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('llm-recipes kb sync: Bedrock answered 500 (InternalServerException: Internal failure) on all 2 attempts; try again later\n');
    expect(fake.calls('StartIngestionJob')).toHaveLength(2);
  });

  test('an endpoint that never answers: each attempt times out, then one clear line and exit 1', async () => {
    fake.routes.ListDataSources = () => ({ noAnswer: true });

    const started = Date.now();
    const { code, stderr } = await runCli(['kb', 'sync', KB], { aws: { ...aws(), requestTimeoutMs: 200 }, clock: fakeClock() });

    expect(code).toBe(1);
    expect(stderr).toBe('llm-recipes kb sync: no answer from the Bedrock Agent endpoint within 0.2s (2 attempts); check the network, proxy and --region\n');
    expect(fake.calls('ListDataSources')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  test('with one attempt (AWS_MAX_ATTEMPTS=1), the messages say one attempt and no retries', async () => {
    const once = { aws: { ...aws(), ...retryWithoutWaiting(1) }, clock: fakeClock() };
    fake.routes.StartIngestionJob = () => bedrockError('InternalServerException', 'Internal failure', 500);
    const failed = await runCli(['kb', 'sync', KB, '--data-source', DS], once);
    expect(failed.stderr).toBe('llm-recipes kb sync: Bedrock answered 500 (InternalServerException: Internal failure) on its one attempt; try again later\n');
    fake.routes.StartIngestionJob = () => bedrockError('ThrottlingException', 'Rate exceeded', 429);
    const throttled = await runCli(['kb', 'sync', KB, '--data-source', DS], once);
    expect(throttled.stderr).toBe('llm-recipes kb sync: throttled by AWS (ThrottlingException); try again in a minute\n');
    expect(fake.calls('StartIngestionJob')).toHaveLength(2);
  });

  test('the SDK retries a throttle once, then the job starts', async () => {
    let calls = 0;
    fake.routes.StartIngestionJob = (req) => (calls++ === 0 ? bedrockError('ThrottlingException', 'Rate exceeded', 429) : ingestionJobResult(req, { id: 'JOB0000005', status: 'COMPLETE' }, 202));
    const { code } = await runCli(['kb', 'sync', KB, '--data-source', DS], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(fake.calls('StartIngestionJob')).toHaveLength(2);
  });

  test.each<[string[], RegExp]>([
    [['kb', 'sync'], /kb sync needs a knowledge base id/],
    [['kb', 'sync', 'kb-1'], /'kb-1' is not a knowledge base id \(10 letters and digits/],
    [['kb', 'sync', KB, '--data-source', 'x'], /--data-source 'x' is not a data source id/],
    [['kb', 'sync', KB, 'extra'], /unexpected argument 'extra'/],
    [['kb', 'sync', KB, '--limit', '3'], /unknown option --limit/],
    [['kb', 'status', KB, '--limit', '0'], /--limit 0 must be at least 1/],
    [['kb', 'rebuild', KB], /unknown command 'kb rebuild'/],
  ])('%j is a usage error (exit 2) before any AWS call', async (argv, message) => {
    const { code, stderr } = await runCli(argv, { aws: aws(), clock: fakeClock() });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(fake.requests).toHaveLength(0);
  });

  test('--help describes the command', async () => {
    const { code, stdout } = await runCli(['kb', 'sync', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^llm-recipes kb sync <knowledge-base-id> \[--data-source <id>\]/);
    expect((await runCli(['--help'])).stdout).toMatch(/llm-recipes kb status <knowledge-base-id>/);
  });
});

describe('llm-recipes kb status', () => {
  const JOBS: FakeJob[] = [
    { id: 'JOB0000009', status: 'FAILED', scanned: 20, indexed: 0, failed: 20, startedAt: '2026-11-30T12:00:00Z', failureReasons: ['Access denied to s3://docs-bucket'] },
    { id: 'JOB0000008', status: 'COMPLETE', scanned: 20, indexed: 15, modified: 3, deleted: 2, startedAt: '2026-11-29T12:00:00Z' },
  ];

  test('shows the last jobs of each data source with counts and the failure reasons', async () => {
    fake.routes.ListDataSources = () => dataSourcesResult(KB, [{ id: DS, name: 'documents' }, { id: 'WEB0000001', name: 'intranet' }]);
    fake.routes.ListIngestionJobs = (req) => ingestionJobsResult(req, req.dataSourceId === DS ? JOBS : []);
    fake.routes.GetIngestionJob = (req) => ingestionJobResult(req, JOBS[0]);

    const { code, stdout } = await runCli(['kb', 'status', KB], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'data source  job         status    started                   scanned  indexed  deleted  failed',
      `${DS}   JOB0000009  FAILED    2026-11-30T12:00:00.000Z       20        0        0      20`,
      `${DS}   JOB0000008  COMPLETE  2026-11-29T12:00:00.000Z       20       18        2       0`,
      '',
      'failure reasons:',
      '  JOB0000009 FAILED: Access denied to s3://docs-bucket',
      '',
    ]);
    // newest first, 5 by default; only the failed job is fetched for its reasons
    expect(fake.calls('ListIngestionJobs').map((r) => [r.dataSourceId, r.json])).toEqual([
      [DS, { maxResults: 5, sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' } }],
      ['WEB0000001', { maxResults: 5, sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' } }],
    ]);
    expect(fake.calls('GetIngestionJob').map((r) => r.ingestionJobId)).toEqual(['JOB0000009']);
  });

  test('a COMPLETE job with failed documents is fetched for its reasons too', async () => {
    const partial: FakeJob = { id: 'JOB0000010', status: 'COMPLETE', scanned: 3, indexed: 2, failed: 1, startedAt: '2026-11-30T13:00:00Z', failureReasons: ['s3://docs-bucket/scan.pdf: no text found'] };
    fake.routes.ListIngestionJobs = (req) => ingestionJobsResult(req, [partial, JOBS[1]]);
    fake.routes.GetIngestionJob = (req) => ingestionJobResult(req, partial);

    const { code, stdout } = await runCli(['kb', 'status', KB, '--data-source', DS], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(0);
    expect(stdout).toMatch(/\n\nfailure reasons:\n {2}JOB0000010 COMPLETE: s3:\/\/docs-bucket\/scan.pdf: no text found\n$/);
    expect(fake.calls('GetIngestionJob').map((r) => r.ingestionJobId)).toEqual(['JOB0000010']);
  });

  test('--data-source and --limit narrow it; --json returns the jobs', async () => {
    fake.routes.ListIngestionJobs = (req) => ingestionJobsResult(req, JOBS.slice(1));

    const { code, stdout } = await runCli(['kb', 'status', KB, '--data-source', DS, '--limit', '1', '--json'], { aws: aws(), clock: fakeClock() });

    expect(code).toBe(0);
    expect(fake.calls('ListDataSources')).toHaveLength(0);
    expect((fake.calls('ListIngestionJobs')[0].json as { maxResults: number }).maxResults).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      knowledgeBaseId: KB,
      dataSources: [{ dataSourceId: DS, name: null, status: null }],
      jobs: [expect.objectContaining({ ingestionJobId: 'JOB0000008', status: 'COMPLETE', statistics: { scanned: 20, indexed: 15, modified: 3, deleted: 2, failed: 0 }, failureReasons: [] })],
    });
  });

  test('says how to start when there are no jobs yet', async () => {
    oneDataSource();
    fake.routes.ListIngestionJobs = (req) => ingestionJobsResult(req, []);
    const { code, stdout } = await runCli(['kb', 'status', KB], { aws: aws(), clock: fakeClock() });
    expect(code).toBe(0);
    expect(stdout).toBe(`no ingestion jobs yet on ${DS} (documents); start one: llm-recipes kb sync ${KB}\n`);
  });

  test('no such knowledge base is one clear line, or a JSON error', async () => {
    fake.routes.ListDataSources = () => bedrockError('ResourceNotFoundException', 'not found', 404);
    const text = await runCli(['kb', 'status', KB], { aws: aws(), clock: fakeClock() });
    const json = await runCli(['kb', 'status', KB, '--json'], { aws: aws(), clock: fakeClock() });
    expect(text).toMatchObject({ code: 1, stdout: '', stderr: `llm-recipes kb status: knowledge base '${KB}' not found in this account and region (not found)\n` });
    expect(JSON.parse(json.stderr)).toEqual({ error: { command: 'kb status', message: `knowledge base '${KB}' not found in this account and region (not found)`, exitCode: 1 } });
  });
});
