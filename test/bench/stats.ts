/** Helpers shared by the benches (no library imports: loading them would fall inside the timings). */

/** The middle value (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The whole number after `--runs` in `args`, or `fallback` without one; throws for anything else. */
export function runsOption(args: readonly string[], fallback: number): number {
  const at = args.indexOf('--runs');
  if (at < 0) return fallback;
  const runs = Number(args[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${args[at + 1] ?? ''}: a whole number of samples, at least 1`);
  return runs;
}
