// Types only at the top: the Bedrock Agent client is loaded when a kb command runs.
import type * as BedrockAgentSdk from '@aws-sdk/client-bedrock-agent';
import type { BedrockAgentClient, DataSourceSummary, IngestionJob, IngestionJobStatistics } from '@aws-sdk/client-bedrock-agent';
import { BEDROCK_DATA_SOURCE_ID_PATTERN, BEDROCK_KNOWLEDGE_BASE_ID_PATTERN } from '../../constructs/catalog/limits';
import { checkOptions, checkPositionals, numberOption, stringOption, UsageError, type ParsedArgs } from './args';
import { AwsCommandError, clientConfig, describeAwsError, EXIT, type AwsContext, type Clock } from './aws';
import { duration, table } from './format';
import type { CommandOutput } from './plan';

/**
 * `kb sync` and `kb status`: the ingestion jobs of an Amazon Bedrock knowledge base's data sources
 * (Bedrock Agent API: ListDataSources, StartIngestionJob, GetIngestionJob, ListIngestionJobs).
 */

/** Options of `kb sync`. */
export const KB_SYNC_OPTIONS = ['data-source', 'interval', 'timeout', 'region', 'json'];
/** Options of `kb status`. */
export const KB_STATUS_OPTIONS = ['data-source', 'limit', 'region', 'json'];

// Ingestion job statuses (Bedrock API reference, IngestionJob status): STARTING, IN_PROGRESS,
// COMPLETE, FAILED, STOPPING, STOPPED. The last three of these settle a job.
const FAILED_STATUSES = new Set(['FAILED', 'STOPPED']);

/** ListIngestionJobs maxResults: 1 to 1000 (Bedrock API reference). */
const MAX_LIST_RESULTS = 1000;

/**
 * Each Bedrock Agent call's limit per attempt: these control-plane calls answer in about a second,
 * and the SDK sets no request timeout of its own (a silent endpoint would hang the CLI forever).
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function knowledgeBaseArg(parsed: ParsedArgs, command: string): string {
  const id = parsed.positionals[0];
  if (!id) throw new UsageError(`${command} needs a knowledge base id: llm-recipes ${command} <knowledge-base-id>`);
  if (!BEDROCK_KNOWLEDGE_BASE_ID_PATTERN.test(id)) throw new UsageError(`'${id}' is not a knowledge base id (10 letters and digits, for example from aws bedrock-agent list-knowledge-bases)`);
  return id;
}

function dataSourceOption(parsed: ParsedArgs): string | undefined {
  const id = stringOption(parsed, 'data-source');
  if (id !== undefined && !BEDROCK_DATA_SOURCE_ID_PATTERN.test(id)) throw new UsageError(`--data-source '${id}' is not a data source id (10 letters and digits)`);
  return id;
}

/** An AWS failure of a kb command as one line: names the knowledge base (and data source) on a 404. */
function kbError(e: unknown, ctx: AwsContext, knowledgeBaseId: string, dataSourceId?: string): AwsCommandError {
  if (e instanceof AwsCommandError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const message = (err.message ?? String(e)).split('\n')[0];
  if (err.name === 'ResourceNotFoundException' || err.$metadata?.httpStatusCode === 404) {
    const subject = dataSourceId ? `knowledge base '${knowledgeBaseId}' or its data source '${dataSourceId}'` : `knowledge base '${knowledgeBaseId}'`;
    return new AwsCommandError(`${subject} not found in this account and region (${message})`, EXIT.error);
  }
  // The SDK's retry middleware records the attempts of a failed call.
  const attempts = err.$metadata?.attempts;
  if (err.name === 'TimeoutError') {
    const tried = attempts === undefined ? '' : ` (${attempts} attempt${attempts === 1 ? '' : 's'})`;
    return new AwsCommandError(`no answer from the Bedrock Agent endpoint within ${(ctx.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) / 1000}s${tried}; check the network, proxy and --region`, EXIT.error);
  }
  const status = err.$metadata?.httpStatusCode ?? 0;
  if (status >= 500) {
    const tried = attempts === undefined ? '' : attempts === 1 ? ' on its one attempt' : ` on all ${attempts} attempts`;
    return new AwsCommandError(`Bedrock answered ${status} (${err.name ?? 'Error'}: ${message})${tried}; try again later`, EXIT.error);
  }
  if (err.name === 'ConflictException') {
    return new AwsCommandError(`the knowledge base is busy: ${message} (see llm-recipes kb status ${knowledgeBaseId})`, EXIT.error);
  }
  return describeAwsError(e);
}

async function client(ctx: AwsContext): Promise<{ agent: BedrockAgentClient; sdk: typeof BedrockAgentSdk }> {
  const sdk = await import('@aws-sdk/client-bedrock-agent');
  const requestHandler = { requestTimeout: ctx.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true };
  return { agent: new sdk.BedrockAgentClient({ ...clientConfig(ctx, ctx.endpoints?.bedrockAgent), requestHandler }), sdk };
}

async function dataSources(agent: BedrockAgentClient, sdk: typeof BedrockAgentSdk, knowledgeBaseId: string): Promise<DataSourceSummary[]> {
  const all: DataSourceSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await agent.send(new sdk.ListDataSourcesCommand({ knowledgeBaseId, nextToken }));
    all.push(...(page.dataSourceSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

function describeSources(sources: readonly DataSourceSummary[]): string {
  return sources.map((s) => `${s.dataSourceId}${s.name ? ` (${s.name})` : ''}`).join(', ');
}

/** The statistics the CLI shows, zero where the service left a count out. */
interface JobCounts {
  readonly scanned: number;
  readonly indexed: number;
  readonly modified: number;
  readonly deleted: number;
  readonly failed: number;
}

function counts(stats: IngestionJobStatistics | undefined): JobCounts {
  return {
    scanned: stats?.numberOfDocumentsScanned ?? 0,
    indexed: stats?.numberOfNewDocumentsIndexed ?? 0,
    modified: stats?.numberOfModifiedDocumentsIndexed ?? 0,
    deleted: stats?.numberOfDocumentsDeleted ?? 0,
    failed: stats?.numberOfDocumentsFailed ?? 0,
  };
}

function countsLine(c: JobCounts): string {
  return `scanned ${c.scanned}, indexed ${c.indexed}, modified ${c.modified}, deleted ${c.deleted}, failed ${c.failed}`;
}

/** A job's failure reasons as one line. */
function reasonsLine(job: IngestionJob | undefined): string {
  return job?.failureReasons?.length ? job.failureReasons.join('; ') : 'no failure reason given';
}

/**
 * Whether a job's failure reasons are worth a GetIngestionJob: it failed or stopped, or it completed
 * with documents that failed (the job summaries of ListIngestionJobs carry no reasons).
 */
function hasFailures(job: { status?: string; statistics?: IngestionJobStatistics }): boolean {
  return FAILED_STATUSES.has(job.status ?? '') || counts(job.statistics).failed > 0;
}

function jobJson(job: IngestionJob | undefined, knowledgeBaseId: string, dataSourceId: string) {
  return {
    knowledgeBaseId,
    dataSourceId,
    ingestionJobId: job?.ingestionJobId ?? null,
    status: job?.status ?? 'UNKNOWN',
    startedAt: job?.startedAt?.toISOString() ?? null,
    updatedAt: job?.updatedAt?.toISOString() ?? null,
    statistics: counts(job?.statistics),
    failureReasons: job?.failureReasons ?? [],
  };
}

/**
 * `kb sync <knowledge-base-id> [--data-source <id>] [--interval s] [--timeout s]`: starts an
 * ingestion job (on the knowledge base's only data source unless one is named) and polls it,
 * one progress line per change, until it settles: exit 0 when COMPLETE (with the failure reasons
 * of any documents that failed), 3 when FAILED or STOPPED (with its failure reasons), 4 after the
 * timeout (the job keeps running).
 */
export async function kbSync(parsed: ParsedArgs, ctx: AwsContext, clock: Clock, progress: (line: string) => void): Promise<CommandOutput & { exitCode: number }> {
  checkOptions(parsed, KB_SYNC_OPTIONS);
  const knowledgeBaseId = knowledgeBaseArg(parsed, 'kb sync');
  checkPositionals(parsed, 1);
  let dataSourceId = dataSourceOption(parsed);
  const interval = numberOption(parsed, 'interval', { min: 1 }) ?? 10;
  const timeout = numberOption(parsed, 'timeout', { min: 1 }) ?? 3600;
  const { agent, sdk } = await client(ctx);
  try {
    if (dataSourceId === undefined) {
      const sources = await dataSources(agent, sdk, knowledgeBaseId);
      if (sources.length === 0) throw new AwsCommandError(`knowledge base '${knowledgeBaseId}' has no data sources to sync`, EXIT.error);
      if (sources.length > 1) {
        throw new UsageError(`knowledge base '${knowledgeBaseId}' has ${sources.length} data sources; choose one with --data-source: ${describeSources(sources)}`);
      }
      dataSourceId = sources[0].dataSourceId!;
    }
    const started = await agent.send(new sdk.StartIngestionJobCommand({ knowledgeBaseId, dataSourceId, description: 'llm-recipes kb sync' }));
    const jobId = started.ingestionJob?.ingestionJobId;
    if (!jobId) throw new AwsCommandError('StartIngestionJob answered without an ingestion job id', EXIT.error);
    const start = clock.now();
    let job = started.ingestionJob;
    let lastLine = '';
    for (;;) {
      const elapsed = (clock.now() - start) / 1000;
      const status = job?.status ?? 'UNKNOWN';
      const line = `${status} ${countsLine(counts(job?.statistics))}`;
      if (line !== lastLine) progress(`[${duration(elapsed)}] ${knowledgeBaseId}/${dataSourceId} job ${jobId}: ${line}`);
      lastLine = line;
      const json = { ...jobJson(job, knowledgeBaseId, dataSourceId), elapsedSeconds: elapsed };
      if (status === 'COMPLETE') {
        const c = counts(job?.statistics);
        if (c.failed > 0 && !job?.failureReasons?.length && job === started.ingestionJob) {
          // StartIngestionJob's answer may leave the reasons out; GetIngestionJob has them.
          job = (await agent.send(new sdk.GetIngestionJobCommand({ knowledgeBaseId, dataSourceId, ingestionJobId: jobId }))).ingestionJob ?? job;
        }
        // A job completes even when some documents fail; say which and why (still exit 0).
        const failures = c.failed > 0 ? `\n${c.failed} document(s) failed: ${reasonsLine(job)}` : '';
        return { exitCode: EXIT.ok, text: `ingestion job ${jobId} COMPLETE after ${duration(elapsed)}: ${countsLine(c)}${failures}`, json: { ...jobJson(job, knowledgeBaseId, dataSourceId), elapsedSeconds: elapsed } };
      }
      if (FAILED_STATUSES.has(status)) {
        return { exitCode: EXIT.endpointFailed, text: `ingestion job ${jobId} ${status} after ${duration(elapsed)}: ${reasonsLine(job)}\n${countsLine(counts(job?.statistics))}`, json };
      }
      if (elapsed + interval > timeout) {
        return {
          exitCode: EXIT.timeout,
          text: `ingestion job ${jobId} is still ${status} after ${duration(elapsed)} (timeout ${duration(timeout)}); it keeps running: llm-recipes kb status ${knowledgeBaseId}`,
          json: { ...json, timedOut: true },
        };
      }
      await clock.sleep(interval * 1000);
      job = (await agent.send(new sdk.GetIngestionJobCommand({ knowledgeBaseId, dataSourceId, ingestionJobId: jobId }))).ingestionJob;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw kbError(e, ctx, knowledgeBaseId, parsed.options['data-source'] === undefined ? undefined : dataSourceId);
  }
}

/**
 * `kb status <knowledge-base-id> [--data-source <id>] [--limit n]`: the last ingestion jobs of
 * each data source (newest first) with documents scanned, indexed, deleted and failed, and the
 * failure reasons of jobs that failed or completed with failed documents (GetIngestionJob: the job
 * summaries carry none).
 */
export async function kbStatus(parsed: ParsedArgs, ctx: AwsContext): Promise<CommandOutput> {
  checkOptions(parsed, KB_STATUS_OPTIONS);
  const knowledgeBaseId = knowledgeBaseArg(parsed, 'kb status');
  checkPositionals(parsed, 1);
  const only = dataSourceOption(parsed);
  const limit = numberOption(parsed, 'limit', { min: 1, max: MAX_LIST_RESULTS, integer: true }) ?? 5;
  const { agent, sdk } = await client(ctx);
  const jobs: Array<ReturnType<typeof jobJson> & { dataSourceName: string | null }> = [];
  let sources: DataSourceSummary[];
  try {
    sources = only ? [{ dataSourceId: only } as DataSourceSummary] : await dataSources(agent, sdk, knowledgeBaseId);
    for (const source of sources) {
      const page = await agent.send(new sdk.ListIngestionJobsCommand({
        knowledgeBaseId,
        dataSourceId: source.dataSourceId,
        sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
        maxResults: limit,
      }));
      for (const summary of (page.ingestionJobSummaries ?? []).slice(0, limit)) {
        let job: IngestionJob = { ...summary, failureReasons: undefined } as IngestionJob;
        if (hasFailures(summary)) {
          job = (await agent.send(new sdk.GetIngestionJobCommand({ knowledgeBaseId, dataSourceId: source.dataSourceId, ingestionJobId: summary.ingestionJobId }))).ingestionJob ?? job;
        }
        jobs.push({ ...jobJson(job, knowledgeBaseId, source.dataSourceId!), dataSourceName: source.name ?? null });
      }
    }
  } catch (e) {
    throw kbError(e, ctx, knowledgeBaseId, only);
  }
  const json = { knowledgeBaseId, dataSources: sources.map((s) => ({ dataSourceId: s.dataSourceId, name: s.name ?? null, status: s.status ?? null })), jobs };
  if (sources.length === 0) return { text: `knowledge base '${knowledgeBaseId}' has no data sources`, json };
  if (jobs.length === 0) return { text: `no ingestion jobs yet on ${describeSources(sources)}; start one: llm-recipes kb sync ${knowledgeBaseId}`, json };
  const rows = jobs.map((j) => [
    j.dataSourceId, String(j.ingestionJobId), j.status, j.startedAt ?? '-',
    String(j.statistics.scanned), String(j.statistics.indexed + j.statistics.modified), String(j.statistics.deleted), String(j.statistics.failed),
  ]);
  const reasons = jobs.filter((j) => j.failureReasons.length > 0).map((j) => `${j.ingestionJobId} ${j.status}: ${j.failureReasons.join('; ')}`);
  const text = table(['data source', 'job', 'status', 'started', 'scanned', 'indexed', 'deleted', 'failed'], rows, [4, 5, 6, 7])
    + (reasons.length > 0 ? `\n\nfailure reasons:\n${reasons.map((r) => `  ${r}`).join('\n')}` : '');
  return { text, json };
}
