import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { main } from '../../bin/cli/main';
import type { AwsContext, Clock } from '../../bin/cli/aws';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process with captured output. */
export async function runCli(argv: string[], options: { aws?: Omit<AwsContext, 'region'>; env?: Record<string, string>; clock?: Clock } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env: options.env ?? { AWS_REGION: 'us-east-1' },
    aws: options.aws,
    clock: options.clock,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A clock whose sleep advances time instantly, and whose every reading advances it by `tickMs`. */
export function fakeClock(start = Date.parse('2026-11-27T12:00:00Z'), tickMs = 0): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => {
      const now = t;
      t += tickMs;
      return now;
    },
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
  };
}

/**
 * `attempts` attempts of the SDK's standard retry strategy without the backoff's wait: the SDK's
 * ConfiguredRetryStrategy is its StandardRetryStrategy (what is retried, attempts, retry quota) with
 * the delay given, here 0. A new one at each call, so no command inherits another's retry quota.
 */
export function retryWithoutWaiting(attempts = 2): Pick<AwsContext, 'maxAttempts' | 'retryStrategy'> {
  return { maxAttempts: attempts, retryStrategy: new ConfiguredRetryStrategy(attempts, 0) };
}
