/**
 * The handler's one retry policy for its two dependencies: throttles and timeouts are retried with
 * exponential backoff and full jitter while the Lambda's time allows, an internal error (500) once; every attempt gets an abort
 * signal that fires when the remaining budget runs out. The AWS SDK clients have their own retries
 * off (`maxAttempts: 1`) so this policy is the one in force.
 */
export type FailureKind = 'throttled' | 'timeout' | 'failed';

/** A dependency call that did not succeed: either not retryable, or retried until the budget ran out. */
export class CallFailure extends Error {
  public override readonly name = 'CallFailure';
  constructor(public readonly kind: FailureKind, public readonly attempts: number, public override readonly cause: unknown) {
    super(`${kind} after ${attempts} attempt(s)`);
  }
}

/** The reason an attempt's signal carries when its time budget ran out. */
export class AttemptTimeout extends Error {
  public override readonly name = 'AttemptTimeout';
}

export interface RetryPolicy {
  /** Milliseconds this dependency may still use (the Lambda's remaining time less margins and reserves). */
  readonly budgetMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** An attempt is not started with less time than this. @default 100 */
  readonly minAttemptMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
}

// Error names of throttling across Kendra (JSON 1.1), SageMaker Runtime and Bedrock Agent Runtime (REST-JSON, ThrottlingException 429):
// https://docs.aws.amazon.com/kendra/latest/APIReference/CommonErrors.html,
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
const THROTTLING_NAMES = new Set([
  'ThrottlingException', 'TooManyRequestsException', 'ModelNotReadyException', 'ServiceUnavailable', 'ServiceUnavailableException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
// The socket errors the AWS SDK itself treats as transient.
const TRANSIENT_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

// A 500 is the service's own fault (Kendra and Bedrock Agent Runtime InternalServerException,
// SageMaker Runtime InternalFailure): often transient, but not a signal to keep hammering. It gets
// one more attempt, as does Bedrock Agent Runtime's BadGatewayException (502, "an issue with a
// dependency due to a server issue. Retry your request": Bedrock Agent Runtime API reference, errors).
const SERVER_ERROR_NAMES = new Set(['InternalServerException', 'InternalFailure', 'InternalServerError', 'BadGatewayException']);

/** Whether a failed call was the service's internal error (HTTP 500). */
export function isServerError(e: unknown): boolean {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return err.$metadata?.httpStatusCode === 500 || (typeof err.name === 'string' && SERVER_ERROR_NAMES.has(err.name));
}

/** Retries of a service's internal error (HTTP 500) per call. */
const SERVER_ERROR_RETRIES = 1;

/** What kind of failure an error from a dependency call is. */
export function classifyError(e: unknown): FailureKind {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = err.$metadata?.httpStatusCode;
  if ((typeof err.name === 'string' && THROTTLING_NAMES.has(err.name)) || status === 429 || status === 503) return 'throttled';
  if ((typeof err.name === 'string' && TIMEOUT_NAMES.has(err.name)) || (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code))) return 'timeout';
  return 'failed';
}

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Calls `call` until it succeeds, fails in a way retrying cannot fix, or the budget cannot fit
 * another attempt. Resolves with the value and the attempts it took; rejects with a CallFailure.
 */
export async function withRetries<T>(call: (signal: AbortSignal) => Promise<T>, policy: RetryPolicy): Promise<{ value: T; attempts: number }> {
  const base = policy.baseDelayMs ?? 100;
  const cap = policy.maxDelayMs ?? 2000;
  const minAttempt = policy.minAttemptMs ?? 100;
  const random = policy.random ?? Math.random;
  let lastKind: FailureKind = 'timeout';
  let lastError: unknown = new AttemptTimeout('no time left for an attempt');
  let serverErrorRetries = 0;
  for (let attempt = 1; ; attempt++) {
    const budget = Math.floor(policy.budgetMs());
    if (budget < minAttempt) throw new CallFailure(lastKind, attempt - 1, lastError);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(`attempt ${attempt} ran past its ${budget} ms budget`)), budget);
    try {
      return { value: await raceAbort(call(controller.signal), controller.signal), attempts: attempt };
    } catch (e) {
      lastKind = controller.signal.aborted ? 'timeout' : classifyError(e);
      lastError = e;
      if (lastKind === 'failed') {
        if (!isServerError(e) || serverErrorRetries >= SERVER_ERROR_RETRIES) throw new CallFailure('failed', attempt, e);
        serverErrorRetries++;
      }
    } finally {
      clearTimeout(timer);
    }
    // Full jitter: a uniform delay up to the exponential step (AWS Architecture Blog, "Exponential Backoff And Jitter").
    const delay = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
    if (policy.budgetMs() - delay < minAttempt) throw new CallFailure(lastKind, attempt, lastError);
    await policy.sleep(delay);
  }
}
