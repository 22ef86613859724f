/**
 * `llm-recipes finetune upload | start | status`: the LoraFineTuning recipe's run loop (issue 12).
 * Each command loads its SDK client when it runs; `upload` validates the whole file before any call.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { checkOptions, checkPositionals, numberOption, stringOption, UsageError, type ParsedArgs } from './args';
import { afterRetries, AwsCommandError, clientConfig, describeAwsError, EXIT, isThrottling, type AwsContext, type Clock } from './aws';
import { duration } from './format';
import type { CommandOutput } from './plan';
import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';

/** The AWS endpoints these commands add to AwsContext's (tests point them at loopback fakes). */
export interface FinetuneEndpoints {
  readonly s3?: string;
  readonly sfn?: string;
}

/** AwsContext with the S3 and Step Functions endpoints of these commands. */
export type FinetuneContext = AwsContext & { readonly endpoints?: AwsContext['endpoints'] & FinetuneEndpoints };

/** The recipe stack's outputs (the contract of issue 12). */
export const FINETUNE_OUTPUTS = { bucket: 'FineTuningBucketName', stateMachine: 'FineTuningStateMachineArn', runLimits: 'FineTuningRunLimits' } as const;
export const DEFAULT_FINETUNE_STACK = 'LoraFineTuning';
/** A SageMaker training job name, which the run name becomes (CreateTrainingJob's TrainingJobName pattern). */
export const RUN_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** The prefix the training role reads (LoraFineTuning's data channel). */
const DATA_PREFIX = 'data/';
/** The largest object one PutObject uploads (docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html). */
const MAX_PUT_BYTES = 5 * 1024 ** 3;

export const FINETUNE_UPLOAD_OPTIONS = ['stack', 'region', 'json'];
export const FINETUNE_START_OPTIONS = ['stack', 'run-name', 'epochs', 'learning-rate', 'max-seq-length', 'lora-rank', 'output', 'data-prefix', 'region', 'json'];
export const FINETUNE_STATUS_OPTIONS = ['region', 'json'];

// ---------------------------------------------------------------------------------------------
// Record validation: mirrors constructs/training/scripts/lora/records.py (check_file) rule for rule
// and message for message; test/bin/cli-finetune.test.ts feeds both the fixtures of
// test/training/lora/fixtures and compares with expected.json. Change both together.

const ROLES = ['system', 'user', 'assistant'];
const JSON_WS = new Set([' ', '\t', '\r', '\n']);

/** The result of checking one data file. */
export interface RecordCheck {
  /** `file:line: message` for every problem (empty when the file is good). */
  readonly problems: string[];
  /** The number of valid records. */
  readonly records: number;
  /** instruction or chat, when the valid records are of one kind. */
  readonly kind?: 'instruction' | 'chat';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Parsed = { line: number; value: Json } | { line: number; problem: string };

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && JSON_WS.has(text[i])) i++;
  return i;
}

/** The end (exclusive) of the JSON value starting at `i`, found by brackets and strings; -1 at the end of the text. */
function valueEnd(text: string, i: number): number {
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return j + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return j;
      depth--;
      if (depth === 0) return j + 1;
    } else if (depth === 0 && (c === ',' || JSON_WS.has(c))) return j;
  }
  return depth === 0 && !inString ? text.length : -1;
}

function parseArray(name: string, text: string, start: number): Parsed[] {
  const out: Parsed[] = [];
  let i = skipWs(text, start + 1);
  if (text[i] === ']') return out;
  for (;;) {
    const line = lineOf(text, i);
    const end = valueEnd(text, i);
    let value: Json;
    try {
      if (end <= i) throw new Error('no value');
      value = JSON.parse(text.slice(i, end)) as Json;
    } catch {
      out.push({ line, problem: `${name}:${line}: not valid JSON; records after it were not read` });
      return out;
    }
    out.push({ line, value });
    i = skipWs(text, end);
    if (text[i] === ',') {
      i = skipWs(text, i + 1);
      continue;
    }
    if (text[i] === ']') {
      const rest = skipWs(text, i + 1);
      if (rest < text.length) out.push({ line: lineOf(text, rest), problem: `${name}:${lineOf(text, rest)}: text after the closing ] of the array` });
      return out;
    }
    const where = lineOf(text, i);
    out.push({ line: where, problem: `${name}:${where}: expected ',' or ']' after a record; records after it were not read` });
    return out;
  }
}

function parseLines(name: string, text: string): Parsed[] {
  const out: Parsed[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const stripped = raw.trim();
    if (stripped === '') return;
    try {
      out.push({ line, value: JSON.parse(stripped) as Json });
    } catch {
      out.push({ line, problem: `${name}:${line}: not valid JSON (JSON Lines holds one object per line)` });
    }
  });
  return out;
}

function parseFile(name: string, text: string): Parsed[] {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const start = skipWs(body, 0);
  return name.endsWith('.json') && body[start] === '[' ? parseArray(name, body, start) : parseLines(name, body);
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: Json | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  return Array.isArray(v) ? 'an array' : 'an object';
}

function recordKind(r: Json): 'instruction' | 'chat' | undefined {
  if (isObject(r) && 'messages' in r) return 'chat';
  if (isObject(r) && ('instruction' in r || 'output' in r)) return 'instruction';
  return undefined;
}

function nonEmptyString(v: Json | undefined): boolean {
  return typeof v === 'string' && v.trim() !== '';
}

function got(r: { [key: string]: Json }, key: string): string {
  if (!(key in r)) return ' (missing)';
  return typeof r[key] === 'string' ? ' (it is empty)' : ` (it is ${jsonType(r[key])})`;
}

function validateMessages(messages: Json | undefined): string[] {
  if (!Array.isArray(messages) || messages.length === 0) return ['"messages" must be a non-empty array'];
  const problems: string[] = [];
  const roles: Array<Json | undefined> = [];
  messages.forEach((m, n) => {
    if (!isObject(m)) {
      problems.push(`messages[${n}] must be an object with "role" and "content"`);
      return;
    }
    const role = m.role;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      problems.push(`messages[${n}].role must be one of ${ROLES.join(', ')} (it is ${JSON.stringify(role ?? null)})`);
    }
    if (!nonEmptyString(m.content)) problems.push(`messages[${n}].content must be a non-empty string`);
    roles.push(role);
  });
  if (problems.length > 0) return problems;
  const offset = roles[0] === 'system' ? 1 : 0;
  const turns = roles.slice(offset);
  for (let n = 0; n < turns.length; n++) {
    const expected = n % 2 === 0 ? 'user' : 'assistant';
    if (turns[n] !== expected) {
      return [`messages[${n + offset}] is "${String(turns[n])}" where "${expected}" is expected (an optional system message, then user and assistant alternating)`];
    }
  }
  if (turns.length === 0 || turns[turns.length - 1] !== 'assistant') return ['"messages" must end with an assistant message (the answer to train on)'];
  return [];
}

/** The problems of one record, without the file:line prefix. */
function validateRecord(r: Json): string[] {
  if (!isObject(r)) return [`a record must be a JSON object, not ${jsonType(r)}`];
  const kind = recordKind(r);
  if (kind === undefined) {
    const keys = Object.keys(r).sort().map((k) => `"${k}"`).join(', ');
    return [`a record needs "instruction" and "output" (instruction format) or "messages" (chat format); it has ${keys || 'no keys'}`];
  }
  if (kind === 'chat') {
    if ('instruction' in r || 'output' in r) return ['a record has both "messages" and "instruction"/"output"; use one format'];
    return validateMessages(r.messages);
  }
  const problems: string[] = [];
  if (!nonEmptyString(r.instruction)) problems.push(`"instruction" must be a non-empty string${got(r, 'instruction')}`);
  if ('input' in r && r.input !== null && typeof r.input !== 'string') problems.push(`"input" must be a string (it may be empty), not ${jsonType(r.input)}`);
  if (!nonEmptyString(r.output)) problems.push(`"output" must be a non-empty string${got(r, 'output')}`);
  return problems;
}

/** Checks the text of one data file named `name` (.json or .jsonl) as the training script does. */
export function checkRecords(name: string, text: string): RecordCheck {
  const problems: string[] = [];
  const firstOfKind = new Map<string, string>();
  let records = 0;
  for (const parsed of parseFile(name, text)) {
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const recordProblems = validateRecord(parsed.value);
    if (recordProblems.length > 0) {
      problems.push(...recordProblems.map((p) => `${name}:${parsed.line}: ${p}`));
      continue;
    }
    records++;
    const kind = recordKind(parsed.value)!;
    if (!firstOfKind.has(kind)) firstOfKind.set(kind, `${name}:${parsed.line}`);
  }
  if (firstOfKind.size > 1) {
    problems.push(`the data mixes instruction records (first at ${firstOfKind.get('instruction')}) and chat records (first at ${firstOfKind.get('chat')}); use one format per data set`);
  }
  const kinds = [...firstOfKind.keys()] as Array<'instruction' | 'chat'>;
  return { problems, records, kind: kinds.length === 1 ? kinds[0] : undefined };
}

// ---------------------------------------------------------------------------------------------
// AWS calls

/** Errors of these commands: the shared one-liners, plus the Step Functions and SageMaker cases they meet. */
function finetuneError(e: unknown, subject: { stack?: string; run?: string; bucket?: string } = {}): AwsCommandError {
  if (e instanceof AwsCommandError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? '';
  const message = (err.message ?? '').split('\n')[0];
  const httpStatus = err.$metadata?.httpStatusCode ?? 0;
  if (name === 'ExecutionAlreadyExists') return new AwsCommandError(`a run named '${subject.run}' already exists; choose another --run-name`, EXIT.error);
  if (name === 'StateMachineDoesNotExist' || name === 'StateMachineDeleting') return new AwsCommandError(`the stack's state machine is gone (${name}); redeploy stack '${subject.stack}'`, EXIT.error);
  if (name === 'NoSuchBucket') return new AwsCommandError(`bucket '${subject.bucket}' does not exist; redeploy stack '${subject.stack}'`, EXIT.error);
  // DescribeTrainingJob answers ResourceNotFound for an unknown job (older answers: ValidationException).
  if (subject.run && !subject.stack && (name === 'ResourceNotFound' || (/ValidationException/.test(name) && /not found|does not exist/i.test(message)))) {
    return new AwsCommandError(`training job '${subject.run}' not found in this account and region (a run started a moment ago creates its job within a minute; check the run name)`, EXIT.error);
  }
  if (httpStatus >= 500 && !isThrottling(name)) {
    // A server error the SDK's retries did not get past. StartExecution is idempotent for a standard workflow: the
    // same name and input return the running execution (Step Functions API reference, StartExecution),
    // so the same run name is safe to retry.
    const retry = subject.run && subject.stack ? `the run may have started: run the same command with --run-name ${subject.run} again` : 'try again in a minute';
    return new AwsCommandError(`AWS answered ${httpStatus} (${name || 'server error'})${afterRetries(e)}: ${message}; ${retry}`, EXIT.error);
  }
  return describeAwsError(e, { stack: subject.stack });
}

/** The recipe stack's outputs named in `wanted`; a missing stack or output is one clear line. */
async function stackOutputs(ctx: FinetuneContext, stack: string, wanted: readonly string[], optional: readonly string[] = []): Promise<Record<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient(clientConfig(ctx, ctx.endpoints?.cloudformation));
  let outputs: Array<{ OutputKey?: string; OutputValue?: string }>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (e) {
    throw finetuneError(e, { stack });
  }
  const found: Record<string, string> = {};
  for (const key of wanted) {
    const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (!value) throw new AwsCommandError(`stack '${stack}' has no output ${key}: is it the LoraFineTuning recipe stack (or a stack whose fine-tuning construct added its outputs)? pass --stack`, EXIT.error);
    found[key] = value;
  }
  for (const key of optional) {
    const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (value) found[key] = value;
  }
  return found;
}

function stackOption(parsed: ParsedArgs): string {
  const stack = stringOption(parsed, 'stack') ?? DEFAULT_FINETUNE_STACK;
  // CloudFormation stack names: letters, digits and hyphens, starting with a letter, at most 128 characters.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stack) && !stack.startsWith('arn:')) throw new UsageError(`--stack '${stack}' is not a CloudFormation stack name`);
  return stack;
}

// ---------------------------------------------------------------------------------------------
// upload

/** `finetune upload <file> [--stack]`: validates every record, then puts the file at `data/<file name>`. */
export async function finetuneUpload(parsed: ParsedArgs, ctx: FinetuneContext): Promise<CommandOutput> {
  checkOptions(parsed, FINETUNE_UPLOAD_OPTIONS);
  const file = parsed.positionals[0];
  if (!file) throw new UsageError('finetune upload needs a data file: llm-recipes finetune upload <file.jsonl>');
  checkPositionals(parsed, 1);
  const stack = stackOption(parsed);
  const name = path.basename(file);
  if (!/\.(json|jsonl)$/.test(name)) throw new UsageError(`'${name}' must end in .json or .jsonl (the training script reads only those)`);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`'${name}': use letters, digits, '.', '_' and '-' in the file name (it becomes the S3 key data/${name})`);
  let raw: Buffer;
  try {
    if (fs.statSync(file).size > MAX_PUT_BYTES) throw new AwsCommandError(`${file} is larger than 5 GiB, the most one upload takes; split it into several files`, EXIT.error);
    raw = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof AwsCommandError) throw e;
    throw new AwsCommandError(`cannot read ${file}: ${(e as Error).message}`, EXIT.error);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new AwsCommandError(`${name}: not UTF-8 text`, EXIT.error);
  }
  const check = checkRecords(name, text);
  if (check.problems.length > 0) {
    const shown = check.problems.slice(0, 20);
    const more = check.problems.length - shown.length;
    throw new AwsCommandError(`${name} has ${check.problems.length} problem(s); nothing was uploaded:\n${shown.map((p) => `  ${p}`).join('\n')}${more > 0 ? `\n  ... and ${more} more` : ''}`, EXIT.error);
  }
  if (check.records === 0) throw new AwsCommandError(`${name} holds no records; nothing was uploaded`, EXIT.error);
  const { [FINETUNE_OUTPUTS.bucket]: bucket } = await stackOutputs(ctx, stack, [FINETUNE_OUTPUTS.bucket]);
  const key = `${DATA_PREFIX}${name}`;
  const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  // Path-style addressing for an endpoint override (a loopback fake has no per-bucket host names).
  const s3 = new S3Client({ ...clientConfig(ctx, ctx.endpoints?.s3), ...(ctx.endpoints?.s3 ? { forcePathStyle: true } : {}) });
  let etag: string | undefined;
  try {
    // No encryption header: the bucket's default encryption (SSE-KMS with the stack's key) applies.
    const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: raw, ContentType: name.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json' }));
    etag = res.ETag;
  } catch (e) {
    throw finetuneError(e, { stack, bucket });
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const uri = `s3://${bucket}/${key}`;
  return {
    text: `uploaded ${check.records} ${check.kind} record(s) (${raw.length} bytes) to ${uri}\n`
      + 'every file under data/ trains together; start a run with: llm-recipes finetune start',
    json: { stack, bucket, key, uri, records: check.records, format: check.kind, bytes: raw.length, sha256, etag: etag ?? null },
  };
}

// ---------------------------------------------------------------------------------------------
// start

/** The stack's FineTuningRunLimits output, `{"maxSeqLength":n,"loraRank":n}`; undefined when absent or unreadable. */
function runLimits(value: string | undefined): { maxSeqLength?: number; loraRank?: number } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as { maxSeqLength?: unknown; loraRank?: unknown };
    const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
    return { maxSeqLength: num(parsed.maxSeqLength), loraRank: num(parsed.loraRank) };
  } catch {
    return undefined;
  }
}

/** The default run name, `lora-<yyyymmdd-hhmmss>` in UTC. */
export function defaultRunName(now: number): string {
  const iso = new Date(now).toISOString();
  return `lora-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** `finetune start [--run-name] [overrides]`: one Step Functions execution named after the run (= the training job). */
export async function finetuneStart(parsed: ParsedArgs, ctx: FinetuneContext, clock: Clock): Promise<CommandOutput> {
  checkOptions(parsed, FINETUNE_START_OPTIONS);
  checkPositionals(parsed, 0);
  const stack = stackOption(parsed);
  const runName = stringOption(parsed, 'run-name') ?? defaultRunName(clock.now());
  if (!RUN_NAME_PATTERN.test(runName)) {
    throw new UsageError(`--run-name '${runName}' is not a training job name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit`);
  }
  // The same rules as the state machine's CheckInput (constructs/training/lora-fine-tuning.ts): whole
  // numbers, dataPrefix under data/ (the training role reads only data/*), maxSeqLength and loraRank at
  // most the deploy-time values the memory check sized (the stack's FineTuningRunLimits output).
  const input: Record<string, string | number> = {};
  const epochs = numberOption(parsed, 'epochs', { min: 1, max: 1000, integer: true });
  if (epochs !== undefined) input.epochs = epochs;
  const lr = numberOption(parsed, 'learning-rate');
  if (lr !== undefined) {
    if (lr <= 0 || lr >= 1) throw new UsageError(`--learning-rate ${lr} must be above 0 and below 1 (LoRA typically uses 1e-4 to 3e-4)`);
    input.learningRate = lr;
  }
  const seq = numberOption(parsed, 'max-seq-length', { min: 1, integer: true });
  if (seq !== undefined) input.maxSeqLength = seq;
  const rank = numberOption(parsed, 'lora-rank', { min: 1, integer: true });
  if (rank !== undefined) input.loraRank = rank;
  const output = stringOption(parsed, 'output');
  if (output !== undefined) {
    if (output !== 'merged' && output !== 'adapter') throw new UsageError(`--output '${output}' must be merged or adapter`);
    input.output = output;
  }
  const prefix = stringOption(parsed, 'data-prefix');
  if (prefix !== undefined) {
    if (!prefix.startsWith(DATA_PREFIX) || !prefix.endsWith('/')) {
      throw new UsageError(`--data-prefix '${prefix}' must be a key prefix under ${DATA_PREFIX} in the stack's bucket, ending in /, such as ${DATA_PREFIX} or ${DATA_PREFIX}run-2/ (the training role reads only ${DATA_PREFIX}*)`);
    }
    input.dataPrefix = prefix;
  }
  const found = await stackOutputs(ctx, stack, [FINETUNE_OUTPUTS.stateMachine], [FINETUNE_OUTPUTS.runLimits]);
  const stateMachineArn = found[FINETUNE_OUTPUTS.stateMachine];
  const limits = runLimits(found[FINETUNE_OUTPUTS.runLimits]);
  const capped: Array<[string, number | undefined, number | undefined, string]> = [
    ['max-seq-length', seq, limits?.maxSeqLength, 'maxSequenceLength'], ['lora-rank', rank, limits?.loraRank, 'loraRank'],
  ];
  for (const [name, value, max, prop] of capped) {
    if (value !== undefined && max !== undefined && value > max) {
      throw new UsageError(`--${name} ${value} is above ${max}, stack '${stack}''s ${prop}, which its memory check sized for the GPU; pass at most ${max}, or redeploy with a larger ${prop} if it fits`);
    }
  }
  const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const sfn = new SFNClient(clientConfig(ctx, ctx.endpoints?.sfn));
  let executionArn: string | undefined;
  let startDate: Date | undefined;
  try {
    const res = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: runName, input: JSON.stringify(input) }));
    executionArn = res.executionArn;
    startDate = res.startDate;
  } catch (e) {
    throw finetuneError(e, { stack, run: runName });
  }
  const overrides = Object.entries(input).map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    text: `started run ${runName}${overrides ? ` (${overrides})` : ' (the stack\'s defaults)'}\n`
      + `execution ${executionArn ?? '?'}\n`
      + `follow it with: llm-recipes finetune status ${runName}`,
    json: { stack, runName, trainingJobName: runName, executionArn: executionArn ?? null, startDate: startDate?.toISOString() ?? null, input },
  };
}

// ---------------------------------------------------------------------------------------------
// status

/** `finetune status <run-name>`: the training job's status, time, spot savings and output prefix. */
export async function finetuneStatus(parsed: ParsedArgs, ctx: FinetuneContext, clock: Clock): Promise<CommandOutput> {
  checkOptions(parsed, FINETUNE_STATUS_OPTIONS);
  const run = parsed.positionals[0];
  if (!run) throw new UsageError('finetune status needs a run name: llm-recipes finetune status <run-name>');
  checkPositionals(parsed, 1);
  if (!RUN_NAME_PATTERN.test(run)) throw new UsageError(`'${run}' is not a run (training job) name`);
  const { DescribeTrainingJobCommand, SageMakerClient } = await import('@aws-sdk/client-sagemaker');
  const sm = new SageMakerClient(clientConfig(ctx, ctx.endpoints?.sagemaker));
  let job: DescribeTrainingJobCommandOutput;
  try {
    job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: run }));
  } catch (e) {
    throw finetuneError(e, { run });
  }
  const status = job.TrainingJobStatus ?? 'Unknown';
  const secondary = job.SecondaryStatus;
  const message = job.SecondaryStatusTransitions?.[job.SecondaryStatusTransitions.length - 1]?.StatusMessage;
  const started = job.TrainingStartTime ?? job.CreationTime;
  const ended = job.TrainingEndTime ?? (status === 'InProgress' || status === 'Stopping' ? undefined : job.LastModifiedTime);
  const elapsed = job.TrainingTimeInSeconds ?? (started ? ((ended?.getTime() ?? clock.now()) - started.getTime()) / 1000 : undefined);
  const billable = job.BillableTimeInSeconds;
  const spot = job.EnableManagedSpotTraining === true;
  // Spot savings = 1 - BillableTimeInSeconds / TrainingTimeInSeconds; billable time is per instance
  // (SageMaker API reference, DescribeTrainingJob BillableTimeInSeconds).
  const savings = spot && billable !== undefined && job.TrainingTimeInSeconds ? 1 - billable / job.TrainingTimeInSeconds : undefined;
  const outputPath = job.OutputDataConfig?.S3OutputPath;
  const artifacts = job.ModelArtifacts?.S3ModelArtifacts;
  // With CompressionType NONE the model is a prefix; before the job ends SageMaker reports no artifacts yet.
  const expected = outputPath ? `${outputPath.replace(/\/+$/, '')}/${run}/output/model/` : undefined;
  const output = artifacts ?? expected;
  const resource = job.ResourceConfig;
  const rows: Array<[string, string]> = [
    ['run', run],
    ['status', `${status}${secondary ? ` / ${secondary}` : ''}${message ? `: ${message}` : ''}`],
    ...(job.FailureReason ? [['failure', job.FailureReason] as [string, string]] : []),
    ...(resource?.InstanceType ? [['instance', `${resource.InstanceCount ?? 1} x ${resource.InstanceType}${spot ? ' (spot)' : ''}`] as [string, string]] : []),
    ['elapsed', elapsed === undefined ? '-' : duration(elapsed)],
    ['billable', billable === undefined ? '-' : `${duration(billable)}${(resource?.InstanceCount ?? 1) > 1 ? ` per instance, x ${resource?.InstanceCount}` : ''}`],
    ['spot savings', savings === undefined ? (spot ? 'known when the job ends' : 'spot not used') : `${(savings * 100).toFixed(0)}%`],
    ['output', output ? `${output}${artifacts ? '' : ' (when the job completes)'}` : '-'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return {
    text: rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'),
    json: {
      runName: run,
      status,
      secondaryStatus: secondary ?? null,
      statusMessage: message ?? null,
      failureReason: job.FailureReason ?? null,
      instanceType: resource?.InstanceType ?? null,
      instanceCount: resource?.InstanceCount ?? null,
      spot,
      elapsedSeconds: elapsed ?? null,
      trainingSeconds: job.TrainingTimeInSeconds ?? null,
      billableSeconds: billable ?? null,
      spotSavings: savings ?? null,
      output: output ?? null,
      outputFinal: artifacts !== undefined,
    },
  };
}
