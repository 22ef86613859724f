/** A parsed command line: positionals in order, and `--name value` / `--name=value` / `--flag` options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | true>;
}

/** Thrown for a command line the CLI cannot act on; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv`. `flags` names the options that take no value; every other `--option` takes the
 * next argument. With `allowed`, an option outside it is a UsageError calling it unknown (before it
 * could be taken for an option that lacks its value). `-h` is `--help`; any other `-x` is unknown.
 */
export function parseArgs(argv: readonly string[], flags: readonly string[], allowed?: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      options.help = true;
      continue;
    }
    if (/^-[A-Za-z]/.test(arg)) throw new UsageError(`unknown option ${arg}${allowed ? `; options: ${optionList(allowed)}` : ''}`);
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (allowed && !allowed.includes(name)) throw new UsageError(`unknown option --${name}; options: ${optionList(allowed)}`);
    if (flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (eq !== -1) {
      options[name] = arg.slice(eq + 1);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
      i++;
    }
  }
  return { positionals, options };
}

function optionList(allowed: readonly string[]): string {
  return allowed.filter((a) => a !== 'help').map((a) => `--${a}`).join(', ');
}

/** Throws a UsageError for any option outside `allowed` (`--help` is always allowed). */
export function checkOptions(parsed: ParsedArgs, allowed: readonly string[]): void {
  for (const name of Object.keys(parsed.options)) {
    if (name !== 'help' && !allowed.includes(name)) throw new UsageError(`unknown option --${name}; options: ${optionList(allowed)}`);
  }
}

/** Throws a UsageError naming the first positional argument beyond `max`. */
export function checkPositionals(parsed: ParsedArgs, max: number, hint = ''): void {
  if (parsed.positionals.length > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'${hint}`);
}

/** A string option, or undefined. */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.options[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/**
 * A numeric option (accepts 40e9, 1.4e12, 0.4), or undefined; a value that is not a number, or
 * outside `min`, or not whole when `integer`, is a UsageError naming the option and the value.
 */
export function numberOption(parsed: ParsedArgs, name: string, opts: { min?: number; integer?: boolean; max?: number } = {}): number | undefined {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} '${raw}' is not a number`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`--${name} ${raw} must be a whole number`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${name} ${raw} must be at least ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${name} ${raw} must be at most ${opts.max}`);
  return n;
}
