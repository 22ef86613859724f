/* eslint-disable no-restricted-properties -- the Lambda's environment is its configuration */

/**
 * The RAG handler's configuration: the Lambda's environment variables, parsed and checked once.
 * This file is the only place under constructs/ that reads `process.env`; the construct sets the
 * variables, the handler reads them here.
 */
import {
  BEDROCK_KB_MAX_QUERY_CHARS, BEDROCK_KB_MAX_RESULTS, BEDROCK_KNOWLEDGE_BASE_ID_PATTERN, KENDRA_INDEX_ID_PATTERN, KENDRA_MAX_PAGE_SIZE,
  KENDRA_MAX_QUERY_CHARS, SAGEMAKER_NAME_PATTERN,
} from '../../catalog/limits';

/** The retriever's configuration: exactly one of `kendraIndexId` and `knowledgeBaseId` is set. */
export interface RagConfig {
  /** KENDRA_INDEX_ID: the Kendra index the retriever queries (not with knowledgeBaseId). */
  readonly kendraIndexId?: string;
  /** KNOWLEDGE_BASE_ID: the Amazon Bedrock knowledge base the retriever queries (not with kendraIndexId). */
  readonly knowledgeBaseId?: string;
  /** ENDPOINT_NAME: the SageMaker endpoint of the LMI container. */
  readonly endpointName: string;
  /** AWS_REGION (set by Lambda): where both services are called. */
  readonly region: string;
  /** TOP_K: how many passages (Kendra) or chunks (knowledge base) are retrieved and stuffed into the prompt. @default 3 */
  readonly topK: number;
  /** MAX_NEW_TOKENS: the LMI `max_new_tokens` parameter. @default 256 */
  readonly maxNewTokens: number;
  /** TEMPERATURE: the LMI `temperature` parameter; 0 means greedy (`do_sample` false). @default 0.1 */
  readonly temperature: number;
  /** MAX_QUESTION_CHARS: the longest question accepted, in characters. @default 1000 */
  readonly maxQuestionChars: number;
  /** MAX_HISTORY_TURNS: the most chat-history entries accepted. @default 10 */
  readonly maxHistoryTurns: number;
  /** MAX_HISTORY_CHARS: the most characters of history content accepted, all entries together. @default 8000 */
  readonly maxHistoryChars: number;
  /** DEBUG_LOGGING ('true' or 'false'): log the question and error messages. @default false */
  readonly debugLogging: boolean;
  /** CORS_ORIGINS: comma-separated browser origins whose requests get Access-Control-Allow-Origin. @default none */
  readonly corsOrigins?: readonly string[];
}

/** A configuration value that is missing or out of range; names the environment variable. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
  constructor(public readonly variable: string, public readonly problem: string) {
    super(`${variable} ${problem}`);
  }
}

/** Defaults of the optional variables, as the construct documents them. */
export const CONFIG_DEFAULTS = {
  topK: 3,
  maxNewTokens: 256,
  temperature: 0.1,
  maxQuestionChars: 1000,
  maxHistoryTurns: 10,
  maxHistoryChars: 8000,
  debugLogging: false,
} as const;

const KENDRA_INDEX_ID = KENDRA_INDEX_ID_PATTERN;
const KNOWLEDGE_BASE_ID = BEDROCK_KNOWLEDGE_BASE_ID_PATTERN;
const KENDRA_ID_WHAT = 'a Kendra index id (36 letters, digits and hyphens)';
const KNOWLEDGE_BASE_ID_WHAT = 'a Bedrock knowledge base id (10 letters and digits)';
const RETRIEVER_VARIABLES = 'KENDRA_INDEX_ID or KNOWLEDGE_BASE_ID';
const ENDPOINT_NAME = SAGEMAKER_NAME_PATTERN;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface IntegerRange { readonly min: number; readonly max: number }

/**
 * Each numeric setting's environment variable and allowed range: the one table the handler and the
 * RagApi construct both check against.
 */
export const INTEGER_SETTINGS: Readonly<Record<'topK' | 'maxNewTokens' | 'maxQuestionChars' | 'maxHistoryTurns' | 'maxHistoryChars', { variable: string } & IntegerRange>> = {
  // The retriever's own limits: Kendra Retrieve PageSize and knowledge base numberOfResults alike.
  topK: { variable: 'TOP_K', min: 1, max: Math.min(KENDRA_MAX_PAGE_SIZE, BEDROCK_KB_MAX_RESULTS) },
  maxNewTokens: { variable: 'MAX_NEW_TOKENS', min: 1, max: 32768 },
  // The question is the retriever's query text (Kendra QueryText, knowledge base retrievalQuery.text).
  maxQuestionChars: { variable: 'MAX_QUESTION_CHARS', min: 1, max: Math.min(KENDRA_MAX_QUERY_CHARS, BEDROCK_KB_MAX_QUERY_CHARS) },
  maxHistoryTurns: { variable: 'MAX_HISTORY_TURNS', min: 0, max: 100 },
  maxHistoryChars: { variable: 'MAX_HISTORY_CHARS', min: 0, max: 1000000 },
};
/** TEMPERATURE's range (LMI sampling temperature). */
export const TEMPERATURE = { variable: 'TEMPERATURE', min: 0, max: 2 } as const;

function integer(env: Readonly<Record<string, string | undefined>>, variable: string, range: IntegerRange, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(variable, `must be an integer from ${range.min} to ${range.max}, got '${raw}'`);
  const value = Number(raw.trim());
  checkInteger(variable, value, range);
  return value;
}

function checkInteger(variable: string, value: number, range: IntegerRange): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(variable, `must be an integer from ${range.min} to ${range.max}, got '${value}'`);
  }
}

function checkTemperature(value: number): void {
  if (!Number.isFinite(value) || value < TEMPERATURE.min || value > TEMPERATURE.max) {
    throw new ConfigError(TEMPERATURE.variable, `must be a number from ${TEMPERATURE.min} to ${TEMPERATURE.max}, got '${value}'`);
  }
}

function required(env: Readonly<Record<string, string | undefined>>, variable: string, pattern: RegExp, what: string): string {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') throw new ConfigError(variable, 'is not set');
  if (!pattern.test(raw)) throw new ConfigError(variable, `is not ${what}: '${raw}'`);
  return raw;
}

/** Exactly one retriever: a Kendra index or a Bedrock knowledge base. */
function checkRetriever(kendraIndexId: unknown, knowledgeBaseId: unknown): void {
  if (kendraIndexId === undefined && knowledgeBaseId === undefined) {
    throw new ConfigError(RETRIEVER_VARIABLES, 'must be set: neither is (exactly one chooses the retriever, a Kendra index or a Bedrock knowledge base)');
  }
  if (kendraIndexId !== undefined && knowledgeBaseId !== undefined) {
    throw new ConfigError('KENDRA_INDEX_ID and KNOWLEDGE_BASE_ID', 'are both set: set exactly one (the retriever, a Kendra index or a Bedrock knowledge base)');
  }
}

/** The value of an optional variable, undefined when it is unset or blank. */
function optional(env: Readonly<Record<string, string | undefined>>, variable: string): string | undefined {
  const raw = env[variable];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/**
 * Checks a configuration given as an object (tests, or a caller building it); throws a
 * ConfigError naming the environment variable that carries the bad value.
 */
export function validateConfig(config: RagConfig): RagConfig {
  checkRetriever(config.kendraIndexId, config.knowledgeBaseId);
  if (config.kendraIndexId !== undefined && (typeof config.kendraIndexId !== 'string' || !KENDRA_INDEX_ID.test(config.kendraIndexId))) {
    throw new ConfigError('KENDRA_INDEX_ID', `is not ${KENDRA_ID_WHAT}: '${String(config.kendraIndexId)}'`);
  }
  if (config.knowledgeBaseId !== undefined && (typeof config.knowledgeBaseId !== 'string' || !KNOWLEDGE_BASE_ID.test(config.knowledgeBaseId))) {
    throw new ConfigError('KNOWLEDGE_BASE_ID', `is not ${KNOWLEDGE_BASE_ID_WHAT}: '${String(config.knowledgeBaseId)}'`);
  }
  if (typeof config.endpointName !== 'string' || !ENDPOINT_NAME.test(config.endpointName)) {
    throw new ConfigError('ENDPOINT_NAME', `is not a SageMaker endpoint name: '${String(config.endpointName)}'`);
  }
  if (typeof config.region !== 'string' || !REGION.test(config.region)) {
    throw new ConfigError('AWS_REGION', `is not an AWS Region: '${String(config.region)}'`);
  }
  for (const [key, setting] of Object.entries(INTEGER_SETTINGS) as Array<[keyof typeof INTEGER_SETTINGS, (typeof INTEGER_SETTINGS)[keyof typeof INTEGER_SETTINGS]]>) {
    checkInteger(setting.variable, config[key], setting);
  }
  checkTemperature(config.temperature);
  if (typeof config.debugLogging !== 'boolean') throw new ConfigError('DEBUG_LOGGING', `must be 'true' or 'false', got '${String(config.debugLogging)}'`);
  return config;
}

/**
 * The configuration from the Lambda's environment (by default `process.env`). Throws a
 * ConfigError naming the first variable that is missing or bad; the handler turns it into a 500
 * on every request, so a bad deployment is loud but never crashes at import.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): RagConfig {
  const kendraIndexId = optional(env, 'KENDRA_INDEX_ID');
  const knowledgeBaseId = optional(env, 'KNOWLEDGE_BASE_ID');
  checkRetriever(kendraIndexId, knowledgeBaseId);
  if (kendraIndexId !== undefined) required(env, 'KENDRA_INDEX_ID', KENDRA_INDEX_ID, KENDRA_ID_WHAT);
  if (knowledgeBaseId !== undefined) required(env, 'KNOWLEDGE_BASE_ID', KNOWLEDGE_BASE_ID, KNOWLEDGE_BASE_ID_WHAT);
  const endpointName = required(env, 'ENDPOINT_NAME', ENDPOINT_NAME, 'a SageMaker endpoint name');
  const region = required(env, 'AWS_REGION', REGION, 'an AWS Region');
  const ints = Object.fromEntries(Object.entries(INTEGER_SETTINGS).map(([key, setting]) => [
    key, integer(env, setting.variable, setting, CONFIG_DEFAULTS[key as keyof typeof INTEGER_SETTINGS]),
  ])) as Record<keyof typeof INTEGER_SETTINGS, number>;
  const rawTemperature = env.TEMPERATURE;
  let temperature: number = CONFIG_DEFAULTS.temperature;
  if (rawTemperature !== undefined && rawTemperature.trim() !== '') {
    if (!/^\d+(\.\d+)?$/.test(rawTemperature.trim())) {
      throw new ConfigError('TEMPERATURE', `must be a number from ${TEMPERATURE.min} to ${TEMPERATURE.max}, got '${rawTemperature}'`);
    }
    temperature = Number(rawTemperature.trim());
    checkTemperature(temperature);
  }
  const rawDebug = env.DEBUG_LOGGING;
  let debugLogging: boolean = CONFIG_DEFAULTS.debugLogging;
  if (rawDebug !== undefined && rawDebug.trim() !== '') {
    if (rawDebug !== 'true' && rawDebug !== 'false') throw new ConfigError('DEBUG_LOGGING', `must be 'true' or 'false', got '${rawDebug}'`);
    debugLogging = rawDebug === 'true';
  }
  const corsOrigins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  const retriever = kendraIndexId !== undefined ? { kendraIndexId } : { knowledgeBaseId };
  return { ...retriever, endpointName, region, ...ints, temperature, debugLogging, corsOrigins };
}
