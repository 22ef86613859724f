// Types only at the top: each command loads its SDK client when it runs, so `plan` (offline) loads none.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { SageMakerClient, SageMakerClientConfig } from '@aws-sdk/client-sagemaker';
/** Static credentials (tests and scripts); normally the SDK's provider chain finds them. */
interface AwsCredentialIdentity { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
import { SAGEMAKER_NAME_PATTERN } from '../../constructs/catalog/limits';
import { checkOptions, checkPositionals, numberOption, stringOption, UsageError, type ParsedArgs } from './args';
import { duration, table } from './format';
import type { CommandOutput } from './plan';

/** Where the AWS calls go. Endpoints and credentials default to the SDK's own resolution (AWS_ENDPOINT_URL_*, profiles). */
export interface AwsContext {
  readonly region?: string;
  readonly endpoints?: { readonly sagemaker?: string; readonly runtime?: string; readonly cloudformation?: string; readonly bedrockAgent?: string };
  readonly credentials?: AwsCredentialIdentity;
  /** @default the SDK's own resolution: AWS_MAX_ATTEMPTS, the profile's max_attempts, else 3 */
  readonly maxAttempts?: number;
  /**
   * The retry strategy of every client of a command, for tests and scripts: the SDK's
   * `ConfiguredRetryStrategy(attempts, 0)` retries without waiting (a Retry-After answer still
   * waits). It decides the attempts, so give `maxAttempts` the same number (the SDK sends it in
   * each request's amz-sdk-request header). The command's clients share it, and with it one retry quota.
   * @default the SDK's own, from AWS_RETRY_MODE or the profile's retry_mode (standard: backoff with jitter)
   */
  readonly retryStrategy?: SageMakerClientConfig['retryStrategy'];
  /** Per-attempt limit of the `kb` commands' Bedrock Agent calls, in milliseconds. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** What the long-running commands need from the outside world, replaceable in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** An AWS failure turned into one line, with the CLI's exit code. */
export class AwsCommandError extends Error {
  constructor(message: string, public readonly exitCode: number) {
    super(message);
  }
}

/** Exit codes: 0 success, 1 AWS or runtime error, 2 usage error, 3 endpoint failed, 4 wait timed out. */
export const EXIT = { ok: 0, error: 1, usage: 2, endpointFailed: 3, timeout: 4 } as const;

export function clientConfig(ctx: AwsContext, endpoint: string | undefined) {
  return {
    region: ctx.region,
    ...(endpoint ? { endpoint } : {}),
    ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
    ...(ctx.maxAttempts !== undefined ? { maxAttempts: ctx.maxAttempts } : {}),
    ...(ctx.retryStrategy ? { retryStrategy: ctx.retryStrategy } : {}),
  };
}

/**
 * ' after retries' unless the SDK made one attempt only (AWS_MAX_ATTEMPTS=1): its retry middleware
 * records the attempts of a failed call in `$metadata.attempts`.
 */
export function afterRetries(e: unknown): string {
  return (e as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts === 1 ? '' : ' after retries';
}

/** AWS's throttling error names; S3 says SlowDown (with a 503). */
export function isThrottling(name: string): boolean {
  return /Throttl|TooManyRequests|RequestLimitExceeded|^SlowDown$/i.test(name);
}

/** One clear line for the AWS errors people hit; never a stack trace. */
export function describeAwsError(e: unknown, subject?: { endpoint?: string; stack?: string }): AwsCommandError {
  const err = e as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const name = err.name ?? err.Code ?? 'Error';
  const message = (err.message ?? String(e)).split('\n')[0];
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new AwsCommandError('no AWS credentials found: configure a profile (aws configure, AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', EXIT.error);
  }
  if (/Region is missing/i.test(message)) {
    return new AwsCommandError('no AWS region: pass --region or set AWS_REGION', EXIT.error);
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name) || err.$metadata?.httpStatusCode === 403) {
    return new AwsCommandError(`access denied: ${message}`, EXIT.error);
  }
  if (isThrottling(name)) {
    return new AwsCommandError(`throttled by AWS${afterRetries(e)} (${name}); try again in a minute`, EXIT.error);
  }
  if (subject?.endpoint && (/Could not find endpoint/i.test(message) || (/Validation/.test(name) && /not found|does not exist/i.test(message)))) {
    return new AwsCommandError(`endpoint '${subject.endpoint}' not found in this account and region`, EXIT.error);
  }
  if (subject?.stack && /does not exist/i.test(message)) {
    return new AwsCommandError(`stack '${subject.stack}' not found in this account and region`, EXIT.error);
  }
  if (name === 'ModelError') {
    return new AwsCommandError(`the model container answered with an error: ${message}`, EXIT.error);
  }
  if (err.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(message)) {
    return new AwsCommandError(`cannot reach the AWS endpoint: ${message}`, EXIT.error);
  }
  return new AwsCommandError(`${name}: ${message}`, EXIT.error);
}

function endpointArg(parsed: ParsedArgs, command: string): string {
  const name = parsed.positionals[0];
  if (!name) throw new UsageError(`${command} needs an endpoint name`);
  if (!SAGEMAKER_NAME_PATTERN.test(name)) throw new UsageError(`'${name}' is not a SageMaker endpoint name`);
  return name;
}

interface EndpointStatus {
  readonly name: string;
  readonly status: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly inServiceSeconds?: number;
  readonly failureReason?: string;
}

async function describeEndpoint(sm: SageMakerClient, name: string, clock: Clock): Promise<EndpointStatus> {
  const { DescribeEndpointCommand, DescribeEndpointConfigCommand } = await import('@aws-sdk/client-sagemaker');
  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
  const variant = ep.ProductionVariants?.[0];
  let instanceType: string | undefined;
  if (ep.EndpointConfigName) {
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }));
    instanceType = config.ProductionVariants?.find((v) => v.VariantName === variant?.VariantName)?.InstanceType ?? config.ProductionVariants?.[0]?.InstanceType;
  }
  const since = ep.LastModifiedTime ?? ep.CreationTime;
  return {
    name,
    status: ep.EndpointStatus ?? 'Unknown',
    instanceType,
    instanceCount: variant?.CurrentInstanceCount,
    inServiceSeconds: ep.EndpointStatus === 'InService' && since ? (clock.now() - since.getTime()) / 1000 : undefined,
    failureReason: ep.FailureReason,
  };
}

/** Options of `status`. */
export const STATUS_OPTIONS = ['stack', 'region', 'json'];
/** Options of `wait`. */
export const WAIT_OPTIONS = ['interval', 'timeout', 'region', 'json'];
/** Options of `invoke`. */
export const INVOKE_OPTIONS = ['max-new-tokens', 'stream', 'region', 'json'];

/** `status [--stack <id>]`: the endpoints and clusters of the recipe stacks (tagged `llm-recipe`). */
export async function status(parsed: ParsedArgs, ctx: AwsContext, clock: Clock): Promise<CommandOutput> {
  checkOptions(parsed, STATUS_OPTIONS);
  checkPositionals(parsed, 0);
  const stackName = stringOption(parsed, 'stack');
  const [{ CloudFormationClient, DescribeStacksCommand }, { SageMakerClient }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'), import('@aws-sdk/client-sagemaker'),
  ]);
  const cfn = new CloudFormationClient(clientConfig(ctx, ctx.endpoints?.cloudformation));
  const sm = new SageMakerClient(clientConfig(ctx, ctx.endpoints?.sagemaker));
  const stacks: Stack[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await cfn.send(new DescribeStacksCommand({ StackName: stackName, NextToken: token }));
      stacks.push(...(page.Stacks ?? []));
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw describeAwsError(e, { stack: stackName });
  }
  const recipes = stacks.filter((s) => stackName !== undefined || s.Tags?.some((t) => t.Key === 'llm-recipe'));
  const rows: Array<Record<string, unknown>> = [];
  for (const s of recipes) {
    const outputs = s.Outputs ?? [];
    const recipe = s.Tags?.find((t) => t.Key === 'llm-recipe')?.Value;
    for (const o of outputs.filter((o) => isEndpointOutput(o.OutputKey) && o.OutputValue)) {
      try {
        const ep = await describeEndpoint(sm, o.OutputValue!, clock);
        rows.push({ stack: s.StackName, recipe, kind: 'endpoint', ...ep });
      } catch (e) {
        throw describeAwsError(e, { endpoint: o.OutputValue });
      }
    }
    for (const o of outputs.filter((o) => o.OutputKey?.includes('HeadNodeInstanceId') && o.OutputValue)) {
      rows.push({ stack: s.StackName, recipe, kind: 'cluster', name: o.OutputValue, status: s.StackStatus, headNode: o.OutputValue });
    }
    if (!outputs.some((o) => isEndpointOutput(o.OutputKey) || o.OutputKey?.includes('HeadNodeInstanceId'))) {
      rows.push({ stack: s.StackName, recipe, kind: 'stack', name: s.StackName, status: s.StackStatus });
    }
  }
  const text = rows.length === 0
    ? `no recipe stacks (tag llm-recipe) in ${ctx.region ?? 'this region'}`
    : table(['stack', 'kind', 'name', 'status', 'instance', 'count', 'in service'], rows.map((r) => [
      String(r.stack), String(r.kind), String(r.name), String(r.status), String(r.instanceType ?? (r.kind === 'cluster' ? 'head node' : '-')),
      r.instanceCount === undefined ? '-' : String(r.instanceCount),
      r.inServiceSeconds === undefined ? '-' : duration(r.inServiceSeconds as number),
    ]));
  return { text, json: { region: ctx.region ?? null, resources: rows } };
}

/** `wait <endpoint> [--interval s] [--timeout s]`: polls until InService; fails with SageMaker's reason. */
export async function wait(parsed: ParsedArgs, ctx: AwsContext, clock: Clock, progress: (line: string) => void): Promise<CommandOutput & { exitCode: number }> {
  checkOptions(parsed, WAIT_OPTIONS);
  const name = endpointArg(parsed, 'wait');
  checkPositionals(parsed, 1);
  const interval = numberOption(parsed, 'interval', { min: 1 }) ?? 30;
  const timeout = numberOption(parsed, 'timeout', { min: 1 }) ?? 3600;
  const { SageMakerClient } = await import('@aws-sdk/client-sagemaker');
  const sm = new SageMakerClient(clientConfig(ctx, ctx.endpoints?.sagemaker));
  const start = clock.now();
  for (;;) {
    let ep: EndpointStatus;
    try {
      ep = await describeEndpoint(sm, name, clock);
    } catch (e) {
      throw describeAwsError(e, { endpoint: name });
    }
    const elapsed = (clock.now() - start) / 1000;
    progress(`[${duration(elapsed)}] ${name}: ${ep.status}`);
    if (ep.status === 'InService') {
      return { exitCode: EXIT.ok, text: `${name} is InService (${ep.instanceCount ?? '?'} x ${ep.instanceType ?? '?'}) after ${duration(elapsed)}`, json: { endpoint: name, status: ep.status, elapsedSeconds: elapsed } };
    }
    if (ep.status === 'Failed' || ep.status === 'Deleting' || ep.status === 'OutOfService') {
      return { exitCode: EXIT.endpointFailed, text: `${name} is ${ep.status}: ${ep.failureReason ?? 'no failure reason given'}`, json: { endpoint: name, status: ep.status, failureReason: ep.failureReason ?? null, elapsedSeconds: elapsed } };
    }
    if (elapsed + interval > timeout) {
      return { exitCode: EXIT.timeout, text: `${name} is still ${ep.status} after ${duration(elapsed)} (timeout ${duration(timeout)})`, json: { endpoint: name, status: ep.status, elapsedSeconds: elapsed, timedOut: true } };
    }
    await clock.sleep(interval * 1000);
  }
}

interface Generation {
  text: string;
  tokens?: number;
}

/** The generated text of an LMI response: `{"generated_text": ...}` or the TGI list form `[{"generated_text": ...}]`. */
export function parseGeneration(body: string): Generation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsCommandError(`the endpoint answered with something other than JSON: ${body.slice(0, 200)}`, EXIT.error);
  }
  const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { generated_text?: unknown; details?: { generated_tokens?: unknown } } | undefined;
  if (!first || typeof first.generated_text !== 'string') {
    throw new AwsCommandError(`the endpoint's answer has no generated_text: ${body.slice(0, 200)}`, EXIT.error);
  }
  const tokens = first.details?.generated_tokens;
  return { text: first.generated_text, tokens: typeof tokens === 'number' ? tokens : undefined };
}

/** `invoke <endpoint> "<prompt>" [--max-new-tokens n] [--stream]`. */
export async function invoke(parsed: ParsedArgs, ctx: AwsContext, clock: Clock, write: (chunk: string) => void): Promise<CommandOutput> {
  checkOptions(parsed, INVOKE_OPTIONS);
  const name = endpointArg(parsed, 'invoke');
  const prompt = parsed.positionals[1];
  if (prompt === undefined || prompt.trim() === '') throw new UsageError('invoke needs a prompt: llm-recipes invoke <endpoint> "<prompt>"');
  checkPositionals(parsed, 2, ' (quote the prompt)');
  const maxNewTokens = numberOption(parsed, 'max-new-tokens', { min: 1, integer: true }) ?? 128;
  const stream = parsed.options.stream === true;
  const json = parsed.options.json === true;
  const { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } = await import('@aws-sdk/client-sagemaker-runtime');
  const runtime = new SageMakerRuntimeClient(clientConfig(ctx, ctx.endpoints?.runtime));
  const body = JSON.stringify({ inputs: prompt, parameters: { max_new_tokens: maxNewTokens, details: true } });
  const started = clock.now();
  let generation: Generation;
  let firstTokenSeconds: number | undefined;
  try {
    if (!stream) {
      const res = await runtime.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'application/json', Accept: 'application/json', Body: body }));
      generation = parseGeneration(new TextDecoder().decode(res.Body));
    } else {
      const res = await runtime.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: name, ContentType: 'application/json', Body: body }));
      const decoder = new TextDecoder();
      let buffered = '';
      let text = '';
      let tokens = 0;
      const handleLine = (line: string) => {
        const trimmed = line.replace(/^data:\s*/, '').trim();
        if (trimmed === '') return;
        let obj: { token?: { text?: string; special?: boolean } };
        try {
          obj = JSON.parse(trimmed) as typeof obj;
        } catch {
          throw new AwsCommandError(`the stream carried a line that is not JSON: ${trimmed.slice(0, 200)}`, EXIT.error);
        }
        if (obj.token && typeof obj.token.text === 'string') {
          if (firstTokenSeconds === undefined) firstTokenSeconds = (clock.now() - started) / 1000;
          tokens++;
          if (obj.token.special) return;
          text += obj.token.text;
          if (!json) write(obj.token.text);
        }
      };
      for await (const event of res.Body ?? []) {
        if (event.PayloadPart?.Bytes) {
          buffered += decoder.decode(event.PayloadPart.Bytes, { stream: true });
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          lines.forEach(handleLine);
        } else if (event.ModelStreamError) {
          throw new AwsCommandError(`the model stream failed: ${event.ModelStreamError.Message ?? event.ModelStreamError.ErrorCode}`, EXIT.error);
        } else if (event.InternalStreamFailure) {
          throw new AwsCommandError(`the response stream failed: ${event.InternalStreamFailure.Message}`, EXIT.error);
        }
      }
      handleLine(buffered);
      if (!json) write('\n');
      generation = { text, tokens };
    }
  } catch (e) {
    if (e instanceof AwsCommandError) throw e;
    throw describeAwsError(e, { endpoint: name });
  }
  const seconds = (clock.now() - started) / 1000;
  const rate = generation.tokens !== undefined && seconds > 0 ? generation.tokens / seconds : undefined;
  const stats = `latency ${seconds.toFixed(2)} s${firstTokenSeconds !== undefined ? `, first token ${firstTokenSeconds.toFixed(2)} s` : ''}, `
    + (generation.tokens === undefined ? 'token count not reported' : `${generation.tokens} tokens${rate === undefined ? '' : `, ${rate.toFixed(1)} tokens/s`}`);
  return {
    text: stream ? stats : `${generation.text}\n${stats}`,
    json: { endpoint: name, text: generation.text, latencySeconds: seconds, firstTokenSeconds: firstTokenSeconds ?? null, tokens: generation.tokens ?? null, tokensPerSecond: rate ?? null },
  };
}

/**
 * An output holding an endpoint name: the recipe stacks' stable `EndpointName`, or the
 * `<id>EndpointNameOutput<hash>` of `LmiEndpoint.addOutputs()` in a team's own stack.
 */
function isEndpointOutput(key: string | undefined): boolean {
  return key === 'EndpointName' || (key?.includes('EndpointNameOutput') ?? false);
}
