import { Token, type App } from 'aws-cdk-lib';
import { RECIPE_APP_CONTEXT } from './app';

/** The type of a recipe context value, as `cdk synth -c key=value` passes it (a string) or cdk.json does. */
export type RecipeContextType = 'string' | 'integer' | 'boolean';

/** One context value the recipe app reads. */
export interface RecipeContextKey {
  readonly name: string;
  readonly type: RecipeContextType;
  readonly doc: string;
  /** The recipe stacks that read it. */
  readonly stacks: readonly string[];
}

/**
 * Every context key of the recipe app: the single table behind validation, the doc of
 * {@link addRecipes} and the README's context table.
 */
export const RECIPE_CONTEXT_KEYS: readonly RecipeContextKey[] = [
  { name: 'falcon40bMaxInstances', type: 'integer', stacks: ['Falcon40bG5Endpoint'], doc: 'Autoscaling ceiling of the Falcon-40B endpoint (1 or more; default 1, no autoscaling).' },
  { name: 'alarmEmail', type: 'string', stacks: ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'KendraRag', 'KnowledgeBaseRag'], doc: 'E-mail address told of endpoint 5xx errors and high latency through a KMS-encrypted SNS topic (confirm the subscription mail after deploy); default none: the alarms have no action.' },
  { name: 'inf2Model', type: 'string', stacks: ['Inf2LmiEndpoint'], doc: 'A catalog model preset to serve on Inferentia2 (default zephyr-7b-beta); the error on an unknown name lists which run on Inferentia2.' },
  { name: 'megatronPreset', type: 'string', stacks: ['Trn1MegatronPretraining'], doc: 'The neuronx-nemo-megatron GPT-3 preset (default gpt3-6.7b).' },
  { name: 'megatronNodes', type: 'integer', stacks: ['Trn1MegatronPretraining'], doc: 'trn1.32xlarge nodes of the Megatron cluster (default: the preset\'s tutorial node count).' },
  {
    name: 'trainingAvailabilityZone', type: 'string', stacks: ['Trn1MegatronPretraining', 'FsdpParallelCluster'],
    doc: 'Availability Zone name (such as us-west-2b, not a zone ID) of both training clusters; default the region\'s first. '
      + 'Changing it on a deployed stack replaces the subnets and so the FSx for Lustre file system (files not exported to the data bucket are lost).',
  },
  { name: 'fsdpNodes', type: 'integer', stacks: ['FsdpParallelCluster'], doc: 'Static GPU nodes of the FSDP cluster (default 2).' },
  { name: 'fsdpInstanceType', type: 'string', stacks: ['FsdpParallelCluster'], doc: 'GPU instance type of the FSDP cluster: p5.48xlarge (default) or p4d.24xlarge.' },
  { name: 'kbStorage', type: 'string', stacks: ['KnowledgeBaseRag'], doc: 'Vector store of the new knowledge base: `s3vectors` (default, no hourly cost) or `opensearch` (OpenSearch Serverless, billed per OCU-hour).' },
  { name: 'kbEmbeddingModel', type: 'string', stacks: ['KnowledgeBaseRag'], doc: 'Embedding model of the new knowledge base: titan-text-v2 (default, 1,024 dimensions), titan-text-v2-512, titan-text-v2-256 or cohere-embed-multilingual-v3.' },
  { name: 'knowledgeBaseId', type: 'string', stacks: ['KnowledgeBaseRag'], doc: 'An existing Bedrock knowledge base for the RAG API (10 letters and digits); without it the stack creates one.' },
  { name: 'kbDocumentsBucket', type: 'string', stacks: ['KnowledgeBaseRag'], doc: 'Name of an existing bucket of documents for the new knowledge base (default: a new retained, KMS-encrypted bucket).' },
  {
    name: 'loraBaseModel', type: 'string', stacks: ['LoraFineTuning'],
    doc: 'A catalog model preset to fine-tune (default falcon-7b); gated ones need a token secret or staged weights, so use the construct for them.',
  },
  { name: 'loraInstanceType', type: 'string', stacks: ['LoraFineTuning'], doc: 'GPU training instance of the LoRA recipe (default ml.g5.2xlarge); the run must fit its GPU memory.' },
  { name: 'kendraIndexId', type: 'string', stacks: ['KendraRag'], doc: 'An existing Kendra index for the RAG API; without it the stack creates a new, billable Developer Edition index.' },
  { name: 'ragAllowedOrigin', type: 'string', stacks: ['KendraRag', 'KnowledgeBaseRag'], doc: 'A browser origin allowed by the RAG API\'s CORS (default none).' },
  { name: 'ragWaf', type: 'boolean', stacks: ['KendraRag', 'KnowledgeBaseRag'], doc: '`true` puts AWS WAF in front of the RAG API; `false` (default) does not.' },
];

/** The README's context table, generated from {@link RECIPE_CONTEXT_KEYS}. */
export function recipeContextTable(): string {
  const rows = RECIPE_CONTEXT_KEYS.map((k) => `| \`${k.name}\` | ${k.type} | ${k.stacks.map((s) => `\`${s}\``).join(', ')} | ${k.doc} |`);
  return ['| Key | Type | Stacks | Effect |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** A bad context value, named by the key the user typed; bin/app.ts prints it as one line. */
export class RecipeContextError extends Error {
  constructor(public readonly key: string, message: string) {
    super(`context ${key}: ${message}`);
    this.name = 'RecipeContextError';
  }
}

/** Keys that are the CDK's own or the app's cdk.json, not ours to check. */
function isCdkKey(key: string): boolean {
  return key.includes('@') || key.includes(':') || key.startsWith('cdk-') || key in RECIPE_APP_CONTEXT;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * Throws a {@link RecipeContextError} for a context key that looks like one of ours but is not: a
 * typo such as `kendraIndex` would otherwise be ignored silently. A key looks like ours when it is
 * close to a known key or starts with a recipe's word (`fsdp`, `kendra`, ...); any other key belongs
 * to someone else (the CDK CLI writes `acknowledged-issue-numbers` and `cli-telemetry` to
 * cdk.context.json, other tools their own) and is left alone.
 */
export function checkContextKeys(app: App): void {
  const known = RECIPE_CONTEXT_KEYS.map((k) => k.name);
  const recipeWords = [...new Set(known.map((name) => name.split(/(?=[A-Z])/)[0].toLowerCase()))];
  for (const key of Object.keys(app.node.getAllContext() as Record<string, unknown>)) {
    if (isCdkKey(key) || known.includes(key) || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) continue;
    const [closest] = known
      .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name.toLowerCase()) }))
      .sort((x, y) => x.distance - y.distance);
    // A third of the key's length in edits, or a prefix of ours (kendraIndex of kendraIndexId).
    const close = closest.distance <= Math.max(2, Math.floor(key.length / 3)) || (key.length >= 4 && closest.name.toLowerCase().startsWith(key.toLowerCase()));
    if (!close && !recipeWords.some((word) => key.toLowerCase().startsWith(word))) continue;
    const hint = close ? `did you mean ${closest.name}? ` : '';
    throw new RecipeContextError(key, `unknown key; ${hint}known keys: ${known.join(', ')}`);
  }
}

/** A string context value, or undefined. */
export function stringContext(app: App, key: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined) return undefined;
  if (typeof raw === 'object' && raw !== null) throw new RecipeContextError(key, `${JSON.stringify(raw)} is not a string`);
  return String(raw);
}

/** A whole-number context value, or undefined. */
export function integerContext(app: App, key: string): number | undefined {
  const raw = stringContext(app, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  // Decimal digits only: Number() would also take '0x2', '1e1' and ' 2 '.
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new RecipeContextError(key, `'${raw}' is not a whole number`);
  return n;
}

/** An e-mail address from context, or undefined: one `local@domain.tld`, no spaces or lists. */
export function emailContext(app: App, key: string): string | undefined {
  const raw = stringContext(app, key);
  if (raw === undefined) return undefined;
  if (!/^[^\s@,;]+@[^\s@,;]+\.[A-Za-z]{2,}$/.test(raw)) throw new RecipeContextError(key, `'${raw}' is not an e-mail address such as ops@example.com`);
  return raw;
}

/** A boolean context value (`true` or `false` only), or undefined. */
export function booleanContext(app: App, key: string): boolean | undefined {
  const raw = stringContext(app, key);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new RecipeContextError(key, `'${raw}' is not a boolean; use true or false`);
  return raw === 'true';
}

/**
 * An Availability Zone name from context; when `region` is concrete, the zone must be one of its
 * zones by name (PrivateVpc places subnets by zone name, so zone IDs such as use1-az1 do not apply).
 */
export function availabilityZoneContext(app: App, key: string, region: string | undefined): string | undefined {
  const zone = stringContext(app, key);
  if (zone === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone)) {
    throw new RecipeContextError(key, `'${zone}' is not an Availability Zone name such as us-west-2b (zone IDs such as usw2-az1 are not accepted)`);
  }
  if (region !== undefined && !Token.isUnresolved(region) && !new RegExp(`^${region}[a-z]$`).test(zone)) {
    throw new RecipeContextError(key, `'${zone}' is not a zone of the stack's region ${region}; use one such as ${region}a`);
  }
  return zone;
}
