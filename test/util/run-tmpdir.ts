/**
 * One temporary directory per Jest run, removed when the run ends. Every `App` without an outdir,
 * every `mkdtemp` of a test, and every child process (the CDK CLI, Python, Chromium) writes under
 * `os.tmpdir()`; a full run writes about 270 MiB there (cloud assemblies with staged assets among
 * them). globalSetup points TMPDIR (and TMP/TEMP, which Node reads on Windows) at the run's
 * directory before Jest starts its workers, which inherit it; globalTeardown removes it. A run
 * killed before its teardown leaves its directory behind: a later run on the same host removes it
 * once its process has ended and it has not changed for an hour (a temp dir shared between
 * containers can show another container's live run under a process ID that is free here).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const PREFIX = 'llm-recipes-test-';
const VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
const STALE_AFTER_MS = 60 * 60 * 1000;
/** Where globalSetup records the run's directory and the values it replaced, for globalTeardown. */
export const RUN_TMPDIR_ENV = 'LLM_RECIPES_RUN_TMPDIR';

function hostTag(): string {
  return os.hostname().replace(/[^A-Za-z0-9.]/g, '_');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the directories this host's ended runs left behind. */
function removeStale(base: string, pid: number, now: number): void {
  const owner = new RegExp(`^${PREFIX}${hostTag().replace(/\./g, '\\.')}-(\\d+)-`);
  for (const name of fs.readdirSync(base)) {
    const match = owner.exec(name);
    if (!match || Number(match[1]) === pid || alive(Number(match[1]))) continue;
    const dir = path.join(base, name);
    try {
      if (now - fs.statSync(dir).mtimeMs < STALE_AFTER_MS) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or another user's in a shared temp dir: theirs to remove.
    }
  }
}

/**
 * Creates the run's directory under the current temporary directory and points `env`'s temporary
 * directory variables at it, after removing what ended runs on this host left behind. Returns the
 * directory.
 */
export function createRunTmpdir(env: NodeJS.ProcessEnv = process.env, pid = process.pid, now = Date.now()): string {
  const base = os.tmpdir();
  removeStale(base, pid, now);
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${hostTag()}-${pid}-`));
  env[RUN_TMPDIR_ENV] = JSON.stringify({ dir, replaced: Object.fromEntries(VARIABLES.map((v) => [v, env[v] ?? null])) });
  for (const v of VARIABLES) env[v] = dir;
  return dir;
}

/**
 * Restores the variables {@link createRunTmpdir} replaced and removes the run's directory. A
 * directory that cannot be removed (a child process still writing, a file locked on Windows) is
 * reported and left to a later run; the run's result stands.
 */
export function removeRunTmpdir(env: NodeJS.ProcessEnv = process.env, warn: (text: string) => void = (text) => process.stderr.write(text)): void {
  const recorded = env[RUN_TMPDIR_ENV];
  if (recorded === undefined) return;
  const { dir, replaced } = JSON.parse(recorded) as { dir: string; replaced: Record<string, string | null> };
  for (const [v, value] of Object.entries(replaced)) {
    if (value === null) delete env[v];
    else env[v] = value;
  }
  delete env[RUN_TMPDIR_ENV];
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    warn(`Could not remove the test run's temporary directory ${dir} (${(error as Error).message}); a later run removes it.\n`);
  }
}
