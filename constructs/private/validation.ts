import { Token } from 'aws-cdk-lib';

/**
 * Collects the problems with a construct's props and throws them as one error, so a caller fixes
 * every prop in one go. Each problem names the prop, the value given and what is allowed.
 */
export class PropErrors {
  private readonly problems: string[] = [];

  /** @param subject who reports, for example `LmiEndpoint` */
  constructor(private readonly subject: string) {}

  /** Records that `prop` has a bad `value`; `allowed` says what would be accepted. */
  public add(prop: string, value: unknown, allowed: string): void {
    this.problems.push(`${prop}: ${describe(value)} ${allowed}`);
  }

  /**
   * Records problems already worded in full (each must still name the prop first); an undefined
   * one is skipped, so a checker's `string | undefined` result can be passed as it is.
   */
  public addMessage(...messages: ReadonlyArray<string | undefined>): void {
    for (const message of messages) if (message !== undefined) this.problems.push(message);
  }

  /** True when nothing was recorded. */
  public get isEmpty(): boolean {
    return this.problems.length === 0;
  }

  /** The recorded problems, in order. */
  public get messages(): readonly string[] {
    return this.problems;
  }

  /** Throws one Error listing every problem, if there are any. */
  public throwIfAny(): void {
    if (!this.isEmpty) throw this.toError();
  }

  /** One Error listing every problem. */
  public toError(): Error {
    return new Error(`${this.subject}: invalid props:\n- ${this.problems.join('\n- ')}`);
  }
}

/**
 * A value as an error message shows it: strings quoted, tokens in words (a token's internal
 * string or number means nothing to a reader), objects and functions by their type (not a whole
 * object, nor a construct's path).
 */
export function describe(value: unknown): string {
  if (value !== null && (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value)) {
    return 'a deploy-time value';
  }
  if (typeof value === 'string') return `'${value}'`;
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) return typeof value;
  return String(value);
}

/** A literal number (not undefined, not a token). */
export function isLiteralNumber(n: number | undefined): n is number {
  return n !== undefined && !Token.isUnresolved(n);
}
