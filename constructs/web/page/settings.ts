/// <reference lib="dom" />
import { isLanguage, type Language } from './i18n';

/** The runtime settings the stack writes next to the page as `config.json` at deploy time. */
export interface Settings {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` (or a custom Cognito domain), no trailing slash. */
  readonly cognitoDomain: string;
  /** The API's path on this origin, such as `/v1/ask`. */
  readonly apiPath: string;
  readonly title: string;
  readonly defaultLanguage: Language;
  /** The API's limits (RagApi maxQuestionLength, maxHistoryTurns, maxHistoryChars), in characters (code points) and turns. */
  readonly maxQuestionLength: number;
  readonly maxHistoryTurns: number;
  readonly maxHistoryChars: number;
}

export async function loadSettings(): Promise<Settings> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw = await response.json() as Record<string, unknown>;
  const text = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') throw new Error(`config.json: "${key}" is missing`);
    return value;
  };
  const count = (key: string): number => {
    const value = typeof raw[key] === 'string' ? Number(raw[key]) : raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`config.json: "${key}" must be a whole number`);
    return value;
  };
  return {
    region: text('region'),
    userPoolId: text('userPoolId'),
    clientId: text('clientId'),
    cognitoDomain: text('cognitoDomain').replace(/\/+$/, ''),
    apiPath: text('apiPath'),
    title: typeof raw.title === 'string' && raw.title !== '' ? raw.title : 'RAG',
    defaultLanguage: isLanguage(raw.defaultLanguage) ? raw.defaultLanguage : 'ja',
    maxQuestionLength: count('maxQuestionLength'),
    maxHistoryTurns: count('maxHistoryTurns'),
    maxHistoryChars: count('maxHistoryChars'),
  };
}
