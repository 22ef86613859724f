/**
 * One temporary directory per Jest run, removed when the run ends. Every `App` without an outdir,
 * every `mkdtemp` of a test, and every child process (the CDK CLI, Python, Chromium) writes under
 * `os.tmpdir()`; a full run writes about 270 MiB there (cloud assemblies with staged assets among
 * them). globalSetup points TMPDIR (and TMP/TEMP, which Node reads on Windows) at the run's
 * directory before Jest starts its workers, which inherit it; globalTeardown removes it. A run
 * killed before its teardown leaves its directory behind: the next run removes it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const PREFIX = 'llm-recipes-test-';
const OWNER = new RegExp(`^${PREFIX}(\\d+)-`);
const VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
/** Where globalSetup records the run's directory and the values it replaced, for globalTeardown. */
export const RUN_TMPDIR_ENV = 'LLM_RECIPES_RUN_TMPDIR';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the run's directory under the current temporary directory and points `env`'s temporary
 * directory variables at it. Directories of earlier runs whose process has ended are removed.
 * Returns the directory.
 */
export function createRunTmpdir(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string {
  const base = os.tmpdir();
  for (const name of fs.readdirSync(base)) {
    const owner = OWNER.exec(name);
    if (!owner || Number(owner[1]) === pid || alive(Number(owner[1]))) continue;
    try {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    } catch {
      // Another user's directory in a shared temp dir: theirs to remove.
    }
  }
  const dir = fs.mkdtempSync(path.join(base, `${PREFIX}${pid}-`));
  env[RUN_TMPDIR_ENV] = JSON.stringify({ dir, replaced: Object.fromEntries(VARIABLES.map((v) => [v, env[v] ?? null])) });
  for (const v of VARIABLES) env[v] = dir;
  return dir;
}

/** Removes the run's directory and restores the variables {@link createRunTmpdir} replaced. */
export function removeRunTmpdir(env: NodeJS.ProcessEnv = process.env): void {
  const recorded = env[RUN_TMPDIR_ENV];
  if (recorded === undefined) return;
  const { dir, replaced } = JSON.parse(recorded) as { dir: string; replaced: Record<string, string | null> };
  for (const [v, value] of Object.entries(replaced)) {
    if (value === null) delete env[v];
    else env[v] = value;
  }
  delete env[RUN_TMPDIR_ENV];
  fs.rmSync(dir, { recursive: true, force: true });
}
