import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, UsageError } from './args';
import {
  AwsCommandError, describeAwsError, EXIT, invoke, INVOKE_OPTIONS, status, STATUS_OPTIONS, wait, WAIT_OPTIONS, type AwsContext, type Clock,
} from './aws';
import {
  finetuneStart, finetuneStatus, finetuneUpload, FINETUNE_START_OPTIONS, FINETUNE_STATUS_OPTIONS, FINETUNE_UPLOAD_OPTIONS,
} from './finetune';
import { kbStatus, kbSync, KB_STATUS_OPTIONS, KB_SYNC_OPTIONS } from './kb';
import { planInference, planTrainingCommand, PLAN_INFERENCE_OPTIONS, PLAN_TRAINING_OPTIONS, type CommandOutput } from './plan';

/** The CLI's connection to its process: output streams, environment and clock. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Overrides for the AWS clients (tests); by default the SDK resolves endpoints and credentials. */
  readonly aws?: Omit<AwsContext, 'region'>;
}

const HELP: Record<string, string> = {
  main: `llm-recipes: plan, check and talk to the LLM recipes of this library

Usage:
  llm-recipes plan inference <model> [--instance <type>] [--region <r>]   which instances serve a model (offline)
  llm-recipes plan training --params <N> --instance <type> --nodes <n>    training compute, time and cost (offline)
  llm-recipes status [--stack <id>]                                       endpoints and clusters of the recipe stacks
  llm-recipes wait <endpoint>                                             wait for an endpoint to be InService
  llm-recipes invoke <endpoint> "<prompt>" [--stream]                      send a prompt to an LMI endpoint
  llm-recipes finetune upload <file.jsonl>                                validate and upload LoRA training data
  llm-recipes finetune start [--run-name <n>] [--epochs <n>] ...           start a LoRA/QLoRA fine-tuning run
  llm-recipes finetune status <run-name>                                  a run's status, time, spot savings, output
  llm-recipes kb sync <knowledge-base-id> [--data-source <id>]            sync a Bedrock knowledge base and wait
  llm-recipes kb status <knowledge-base-id>                               the last ingestion jobs of a knowledge base

Every command takes --json (machine-readable output and errors) and --help (-h).
llm-recipes --version prints the version.
AWS commands use the usual credentials and region (AWS_PROFILE, AWS_REGION, --region).

Exit codes: 0 success, 1 AWS or runtime error, 2 usage error, 3 endpoint failed, 4 wait timed out
(kb sync: 3 ingestion job failed, 4 timed out).`,
  'plan inference': `llm-recipes plan inference <model> [--instance <type>] [--region <r>] [--json]
llm-recipes plan inference --params <N> --layers <L> --heads <H> [--kv-heads <K>] [--hidden <D>] [--context <T>] [--dtype bf16|fp16] [--neuron]

Lists the catalog's SageMaker instances that fit the model (weights, KV cache and runtime within 90%
of device memory) with tensor-parallel degree, headroom, hourly price and the LMI image for the
region, marks the cheapest fit, and says why each other instance does not fit. Offline.

Example:
  llm-recipes plan inference falcon-40b --region eu-west-1
  llm-recipes plan inference --params 13e9 --layers 40 --heads 40 --hidden 5120 --context 4096 --neuron`,
  'plan training': `llm-recipes plan training --params <N> [--tokens <D>] --instance <type> --nodes <n> [--mfu 0.4] [--json]
llm-recipes plan training --preset gpt3-6.7b|gpt3-23b|gpt3-46b|gpt3-175b [--nodes <n>] [--instance <type>]

Training compute C = 6·N·D, the Chinchilla-optimal token count (20 per parameter; the default D),
wall time at the given model FLOPs utilisation and on-demand cost, with a table over node counts.
Instances: trn1.32xlarge, trn1n.32xlarge, p4d.24xlarge, p5.48xlarge. Offline.
A --preset is a NeuronMegatronPretraining preset: an instance or node count that construct refuses is
refused here with its message; --preset and --params together are an error. A GPU plan notes where
FsdpTraining would refuse it for host memory.

Example:
  llm-recipes plan training --params 175e9 --tokens 300e9 --instance p5.48xlarge --nodes 64`,
  status: `llm-recipes status [--stack <id>] [--region <r>] [--json]

The SageMaker endpoints and ParallelCluster clusters that the recipe stacks (tag llm-recipe) created,
with status, instance type and count, and time in service.

Example:
  llm-recipes status --stack Falcon40bG5Endpoint`,
  wait: `llm-recipes wait <endpoint> [--interval <s>] [--timeout <s>] [--region <r>] [--json]

Polls the endpoint (every 30 s by default) until it is InService, printing the elapsed time and
status; exits 3 with SageMaker's failure reason if it fails, 4 after the timeout (3600 s).

Example:
  llm-recipes wait Falcon40b-abc123 --timeout 5400`,
  invoke: `llm-recipes invoke <endpoint> "<prompt>" [--max-new-tokens <n>] [--stream] [--region <r>] [--json]

Sends {"inputs": prompt, "parameters": {"max_new_tokens": n, "details": true}} to an LMI endpoint and
prints the generated text (token by token with --stream), then latency and tokens per second.

Example:
  llm-recipes invoke Falcon40b-abc123 "What is Amazon SageMaker?" --max-new-tokens 64 --stream`,
  'finetune upload': `llm-recipes finetune upload <file.json|file.jsonl> [--stack <id>] [--region <r>] [--json]

Validates every record as the training script does ({"instruction", "input", "output"} records, or
chat {"messages": [...]} records; a .json file is an array or JSON Lines), naming each bad record by
line, and only then uploads the file to data/<file name> in the bucket of the LoraFineTuning stack
(output FineTuningBucketName; encrypted with the bucket's default KMS key). Every file under data/
trains together.

Example:
  llm-recipes finetune upload dolly-ja.json`,
  'finetune start': `llm-recipes finetune start [--stack <id>] [--run-name <name>] [--epochs <n>] [--learning-rate <x>]
    [--max-seq-length <n>] [--lora-rank <n>] [--output merged|adapter] [--data-prefix <p>] [--region <r>] [--json]

Starts the stack's fine-tuning state machine (output FineTuningStateMachineArn). The run name (default
lora-<yyyymmdd-hhmmss>, UTC) names both the execution and the SageMaker training job; the options
override the stack's defaults for this run only. Epochs, sequence length and rank are whole numbers;
--max-seq-length and --lora-rank may not exceed the stack's own values, which its memory check sized
(output FineTuningRunLimits); --data-prefix is a prefix under data/.

Example:
  llm-recipes finetune start --run-name dolly-ja-r16 --epochs 2 --lora-rank 16`,
  'finetune status': `llm-recipes finetune status <run-name> [--region <r>] [--json]

The run's training job: status and secondary status, instance, elapsed and billable time, managed
spot savings (1 - billable / training time) and the S3 prefix of the model.

Example:
  llm-recipes finetune status dolly-ja-r16`,
  'kb sync': `llm-recipes kb sync <knowledge-base-id> [--data-source <id>] [--interval <s>] [--timeout <s>] [--region <r>] [--json]

Starts an ingestion job (StartIngestionJob) on the knowledge base's data source (its only one, or
--data-source when it has several) and polls it every 10 s by default, printing a progress line
(status; documents scanned, indexed, modified, deleted, failed) when it changes. Exits 0 when the job
is COMPLETE, 3 with its failure reasons when it FAILED or was STOPPED, 4 after the timeout (3600 s;
the job keeps running).

Example:
  llm-recipes kb sync ABCDEFGHIJ --data-source KLMNOPQRST`,
  'kb status': `llm-recipes kb status <knowledge-base-id> [--data-source <id>] [--limit <n>] [--region <r>] [--json]

The last ingestion jobs (5 by default) of each data source of the knowledge base, newest first, with
documents scanned, indexed, deleted and failed, and the failure reasons of failed jobs.

Example:
  llm-recipes kb status ABCDEFGHIJ --json`,
};

const FLAGS = ['json', 'help', 'stream', 'neuron'];

const OPTIONS: Record<string, readonly string[]> = {
  'plan inference': PLAN_INFERENCE_OPTIONS,
  'plan training': PLAN_TRAINING_OPTIONS,
  status: STATUS_OPTIONS,
  wait: WAIT_OPTIONS,
  invoke: INVOKE_OPTIONS,
  'finetune upload': FINETUNE_UPLOAD_OPTIONS,
  'finetune start': FINETUNE_START_OPTIONS,
  'finetune status': FINETUNE_STATUS_OPTIONS,
  'kb sync': KB_SYNC_OPTIONS,
  'kb status': KB_STATUS_OPTIONS,
};

/** Commands with subcommands: `plan inference`, `kb sync` ... */
const SUBCOMMANDS: Record<string, readonly string[]> = { plan: ['inference', 'training'], kb: ['sync', 'status'], finetune: ['upload', 'start', 'status'] };

function subcommandsOf(command: string | undefined): readonly string[] | undefined {
  return command !== undefined && Object.hasOwn(SUBCOMMANDS, command) ? SUBCOMMANDS[command] : undefined;
}

/** The version of the llm-recipes-cdk package this CLI belongs to (from source, dist/ or an install). */
export function cliVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'llm-recipes-cdk' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** Prints a failure: one line (and the help pointer for usage errors), or with --json one JSON object. */
function fail(io: CliIo, json: boolean, command: string | undefined, message: string, exitCode: number): number {
  const help = exitCode === EXIT.usage ? `llm-recipes ${command ?? ''} --help`.replace('  ', ' ') : undefined;
  if (json) {
    io.stderr(`${JSON.stringify({ error: { command: command ?? null, message, exitCode, ...(help ? { help } : {}) } })}\n`);
  } else {
    io.stderr(`llm-recipes${command ? ` ${command}` : ''}: ${message}\n${help && command ? `see: ${help}\n` : ''}`);
  }
  return exitCode;
}

function realClock(): Clock {
  return { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}

function emit(io: CliIo, out: CommandOutput, json: boolean): void {
  io.stdout(json ? `${JSON.stringify(out.json, null, 2)}\n` : `${out.text}\n`);
}

/** Runs the CLI on `argv` (without the node and script paths) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, sub] = argv;
  const key = sub !== undefined && subcommandsOf(command)?.includes(sub) ? `${command} ${sub}` : command;
  const rest = argv.slice(key?.includes(' ') ? 2 : 1);
  const jsonRequested = argv.includes('--json');
  if (command === '--version') {
    io.stdout(jsonRequested ? `${JSON.stringify({ version: cliVersion() })}\n` : `llm-recipes ${cliVersion()}\n`);
    return EXIT.ok;
  }
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  if (!command || isHelp(command) || command === 'help' || (subcommandsOf(command) && (!sub || isHelp(sub)))) {
    io.stdout(`${HELP.main}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (!HELP[key]) {
    const unknown = command.startsWith('-') ? `unknown option ${command}` : `unknown command '${argv.slice(0, subcommandsOf(command) ? 2 : 1).join(' ')}'`;
    return fail(io, jsonRequested, undefined, `${unknown}; see llm-recipes --help`, EXIT.usage);
  }
  const clock = io.clock ?? realClock();
  try {
    const parsed = parseArgs(rest, FLAGS, [...OPTIONS[key], 'help']);
    if (parsed.options.help === true) {
      io.stdout(`${HELP[key]}\n`);
      return EXIT.ok;
    }
    const json = parsed.options.json === true;
    const region = (typeof parsed.options.region === 'string' ? parsed.options.region : undefined) ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    const ctx: AwsContext = { ...io.aws, region };
    switch (key) {
      case 'plan inference': emit(io, planInference(parsed), json); return EXIT.ok;
      case 'plan training': emit(io, planTrainingCommand(parsed), json); return EXIT.ok;
      case 'status': emit(io, await status(parsed, ctx, clock), json); return EXIT.ok;
      case 'wait': {
        const out = await wait(parsed, ctx, clock, (line) => { if (!json) io.stderr(`${line}\n`); });
        emit(io, out, json);
        return out.exitCode;
      }
      case 'invoke': emit(io, await invoke(parsed, ctx, clock, io.stdout), json); return EXIT.ok;
      case 'finetune upload': emit(io, await finetuneUpload(parsed, ctx), json); return EXIT.ok;
      case 'finetune start': emit(io, await finetuneStart(parsed, ctx, clock), json); return EXIT.ok;
      case 'finetune status': emit(io, await finetuneStatus(parsed, ctx, clock), json); return EXIT.ok;
      case 'kb sync': {
        const out = await kbSync(parsed, ctx, clock, (line) => { if (!json) io.stderr(`${line}\n`); });
        emit(io, out, json);
        return out.exitCode;
      }
      case 'kb status': emit(io, await kbStatus(parsed, ctx), json); return EXIT.ok;
      default: return EXIT.usage;
    }
  } catch (e) {
    if (e instanceof UsageError) return fail(io, jsonRequested, key, e.message, EXIT.usage);
    if (e instanceof AwsCommandError) return fail(io, jsonRequested, key, e.message, e.exitCode);
    if (e instanceof Error && /^planTraining: /.test(e.message)) return fail(io, jsonRequested, key, e.message.replace(/^planTraining: /, ''), EXIT.usage);
    const described = describeAwsError(e);
    return fail(io, jsonRequested, key, described.message, described.exitCode);
  }
}
