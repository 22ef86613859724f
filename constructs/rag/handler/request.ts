import type { RagConfig } from './config';

/** One turn of the chat history the client sends back with each question. */
export interface HistoryTurn {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface RagRequest {
  readonly question: string;
  readonly history: readonly HistoryTurn[];
}

/** A request the handler answers with 400; the message names the field and the limit, never the content. */
export class BadRequest extends Error {
  public override readonly name = 'BadRequest';
}

type Limits = Pick<RagConfig, 'maxQuestionChars' | 'maxHistoryTurns' | 'maxHistoryChars'>;

/** Length in characters (code points), the way a JSON Schema `maxLength` counts them. */
function charLength(text: string, atMost: number): number {
  // Every code point is one or two UTF-16 units: a string this long is over the limit anyway.
  if (text.length > 2 * atMost) return text.length;
  return Array.from(text).length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body of an API Gateway proxy event, decoded; `null` when there is none. */
export function eventBody(event: { readonly body?: unknown; readonly isBase64Encoded?: unknown }): string | null {
  if (event.body === null || event.body === undefined) return null;
  // The proxy integration always passes the body as a string; anything else is a direct invocation.
  if (typeof event.body !== 'string') throw new BadRequest(`the event's "body" must be a string holding JSON, got ${Array.isArray(event.body) ? 'an array' : typeof event.body}`);
  return event.isBase64Encoded === true ? Buffer.from(event.body, 'base64').toString('utf-8') : event.body;
}

/**
 * Parses and checks `{"question": string, "history"?: [{"role": "user"|"assistant", "content": string}]}`.
 * Throws BadRequest with a message that names the field and the limit.
 */
export function parseRequest(body: string | null, limits: Limits): RagRequest {
  if (body === null || body.trim() === '') throw new BadRequest('the request body must be a JSON object with a "question" string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadRequest('the request body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new BadRequest('the request body must be a JSON object with a "question" string');

  const question = parsed.question;
  if (question === undefined || question === null) throw new BadRequest('"question" is required');
  if (typeof question !== 'string') throw new BadRequest('"question" must be a string');
  const trimmed = question.trim();
  if (trimmed === '') throw new BadRequest('"question" must not be empty');
  const questionChars = charLength(trimmed, limits.maxQuestionChars);
  if (questionChars > limits.maxQuestionChars) {
    throw new BadRequest(`"question" is too long: at most ${limits.maxQuestionChars} characters are allowed`);
  }

  const rawHistory = parsed.history;
  if (rawHistory === undefined || rawHistory === null) return { question: trimmed, history: [] };
  if (!Array.isArray(rawHistory)) throw new BadRequest('"history" must be an array of {"role": "user"|"assistant", "content": string}');
  if (rawHistory.length > limits.maxHistoryTurns) {
    throw new BadRequest(`"history" has ${rawHistory.length} entries: at most ${limits.maxHistoryTurns} are allowed`);
  }
  const history: HistoryTurn[] = [];
  let historyChars = 0;
  rawHistory.forEach((turn: unknown, i) => {
    if (!isRecord(turn)) throw new BadRequest(`"history[${i}]" must be an object {"role": "user"|"assistant", "content": string}`);
    if (turn.role !== 'user' && turn.role !== 'assistant') throw new BadRequest(`"history[${i}].role" must be "user" or "assistant"`);
    if (typeof turn.content !== 'string') throw new BadRequest(`"history[${i}].content" must be a string`);
    historyChars += charLength(turn.content, limits.maxHistoryChars);
    history.push({ role: turn.role, content: turn.content });
  });
  if (historyChars > limits.maxHistoryChars) {
    throw new BadRequest(`"history" is too long: at most ${limits.maxHistoryChars} characters of content are allowed in all`);
  }
  return { question: trimmed, history };
}
