/**
 * The system tools some tests need beyond Node (shellcheck, a Python with torch, ...): how to detect
 * each, and the Debian packages that provide it. Jest's globalSetup (test/util/system-tools-setup.ts)
 * detects them once per run, prints one notice naming what is missing and the command that installs
 * it, and passes the result to the test files in SYSTEM_TOOLS_ENV; `describeWithTools` then skips the
 * suites whose tools are missing. Under CI (`CI` set, as `.ci/run` does) a missing tool fails the run.
 * `npm run test-tools` (scripts/test-tools.ts) installs the packages of this same list.
 */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';

export interface SystemTool {
  /** What the tests need, in words, for the notice. */
  readonly description: string;
  /** The Debian/Ubuntu packages that provide it. */
  readonly debianPackages: readonly string[];
  /** Resolves to true when the tool is usable on this machine. */
  readonly detect: () => Promise<boolean>;
}

/** Runs `command args...` and resolves to its exit status and standard output (status null: it did not start or was killed). */
function runCommand(command: string, args: readonly string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    // Not spawn's `timeout` option: its timer outlives a command that fails to start and holds the process open for its whole length.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const done = (status: number | null) => {
      clearTimeout(timer);
      resolve({ status, stdout });
    };
    child.stdout.setEncoding('utf-8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', () => done(null));
    child.on('close', (status) => done(status));
  });
}

/** True when `command args...` runs and exits 0. */
export async function commandSucceeds(command: string, args: readonly string[] = []): Promise<boolean> {
  return (await runCommand(command, args)).status === 0;
}

/** The first of `candidates`, in order, for which `usable` resolves true. */
async function firstUsable(candidates: ReadonlyArray<string | undefined>, usable: (candidate: string) => Promise<boolean>): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (candidate && await usable(candidate)) return candidate;
  }
  return undefined;
}

// Finds the modules without importing them: importing torch costs seconds; the tests that use it import it themselves.
const FINDS_TORCH_AND_NUMPY = 'import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in ("torch", "numpy")))';

/**
 * The first Python that has torch and numpy: PYTHON_WITH_TORCH when set, else Debian's
 * /usr/bin/python3 (python3-torch), else `python3` on PATH.
 */
export function pythonWithTorch(): Promise<string | undefined> {
  return firstUsable([process.env.PYTHON_WITH_TORCH, '/usr/bin/python3', 'python3'], (python) => commandSucceeds(python, ['-c', FINDS_TORCH_AND_NUMPY]));
}

/**
 * The headless Chromium the chat page's browser tests drive through playwright-core: CHROMIUM_PATH
 * when set, else Debian's chromium-headless-shell, else a full Debian chromium. Nothing downloads a browser.
 */
export function chromiumPath(): Promise<string | undefined> {
  return firstUsable([process.env.CHROMIUM_PATH, '/usr/bin/chromium-headless-shell', '/usr/bin/chromium'], (browser) => commandSucceeds(browser, ['--version']));
}

/** True when fontconfig knows a font with Japanese glyphs (the page's Japanese screenshots). */
export async function hasJapaneseFont(): Promise<boolean> {
  const run = await runCommand('fc-list', [':lang=ja', 'family']);
  return run.status === 0 && run.stdout.trim() !== '';
}

/** Every tool a test may ask for. Add an entry here and the setup, the notice and `npm run test-tools` follow. */
export const SYSTEM_TOOLS = {
  shellcheck: {
    description: 'shellcheck (the job-script lint)',
    debianPackages: ['shellcheck'],
    detect: () => commandSucceeds('shellcheck', ['--version']),
  },
  torch: {
    description: 'a Python with torch and numpy (train_fsdp.py on the CPU; or set PYTHON_WITH_TORCH)',
    // libopenblas0: what Debian's libtorch recommends, which the --no-install-recommends install skips.
    // Without it torch runs on the reference BLAS: a 256x64 by 64x256 matmul took 2.4 ms instead of
    // 0.1 ms here, and train-fsdp.test's runs 3.6 s instead of 1.4 s.
    debianPackages: ['python3-torch', 'python3-numpy', 'libopenblas0'],
    detect: async () => (await pythonWithTorch()) !== undefined,
  },
  python3: {
    description: 'python3 3.8 or later (the LoRA training script\'s unit tests, stdlib only)',
    debianPackages: ['python3'],
    detect: () => commandSucceeds('python3', ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)']),
  },
  chromium: {
    description: 'headless Chromium (the chat page browser tests; or set CHROMIUM_PATH)',
    debianPackages: ['chromium-headless-shell'],
    detect: async () => (await chromiumPath()) !== undefined,
  },
  japaneseFont: {
    description: 'a Japanese font, IPA Gothic (the chat page in Japanese)',
    debianPackages: ['fonts-ipafont-gothic'],
    detect: () => hasJapaneseFont(),
  },
} as const satisfies Record<string, SystemTool>;

export type SystemToolName = keyof typeof SYSTEM_TOOLS;

/** The one command that installs every tool in SYSTEM_TOOLS. */
export const INSTALL_COMMAND = 'npm run test-tools';

/** The environment variable through which globalSetup hands the missing tools (JSON array) to the test files. */
export const SYSTEM_TOOLS_ENV = 'LLM_RECIPES_MISSING_SYSTEM_TOOLS';

/** The names of the tools in `tools` whose detection fails, in the registry's order; the tools are detected concurrently. */
export async function detectMissing(tools: Readonly<Record<string, SystemTool>> = SYSTEM_TOOLS): Promise<string[]> {
  const entries = Object.entries(tools);
  const present = await Promise.all(entries.map(([, tool]) => tool.detect()));
  return entries.filter((_, i) => !present[i]).map(([name]) => name);
}

/** The Debian packages that provide the named tools, without duplicates. */
export function debianPackagesFor(names: readonly string[], tools: Readonly<Record<string, SystemTool>> = SYSTEM_TOOLS): string[] {
  return [...new Set(names.flatMap((name) => {
    const tool = tools[name];
    if (!tool) throw new Error(`unknown system tool '${name}'; known: ${Object.keys(tools).join(', ')}`);
    return tool.debianPackages;
  }))];
}

/** The notice for missing tools: what is missing, what it skips or fails, and the one command that installs them. */
export function missingToolsNotice(missing: readonly string[], ci: boolean, tools: Readonly<Record<string, SystemTool>> = SYSTEM_TOOLS): string {
  const list = missing.map((name) => `  - ${name}: ${tools[name]?.description ?? 'unknown tool'}`).join('\n');
  const install = `Install them with \`${INSTALL_COMMAND}\` (apt-get install ${debianPackagesFor(missing, tools).join(' ')}).`;
  return ci
    ? `CI is set, so missing system tools fail the run instead of skipping tests:\n${list}\n${install}`
    : `Skipping the tests that need these missing system tools:\n${list}\n${install}`;
}

/**
 * Detects the tools once and returns the missing ones; when `ci` is true and any is missing, throws
 * with the notice instead (CI runs every test, never a skip).
 */
export async function checkSystemTools(ci: boolean, tools: Readonly<Record<string, SystemTool>> = SYSTEM_TOOLS): Promise<string[]> {
  const missing = await detectMissing(tools);
  if (missing.length > 0 && ci) throw new Error(missingToolsNotice(missing, true, tools));
  return missing;
}

/** Whether this run is CI: `CI` set to anything but an empty string, 'false' or '0'. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

let detectedInThisProcess: string[] | undefined;

/**
 * The missing tools of this run: globalSetup's result when it ran, else detected once per test file
 * (a test file run outside Jest's globalSetup) by {@link detectMissingInChild}.
 */
export function missingSystemTools(env: NodeJS.ProcessEnv = process.env): string[] {
  const handed = env[SYSTEM_TOOLS_ENV];
  if (handed !== undefined) return JSON.parse(handed) as string[];
  detectedInThisProcess ??= detectMissingInChild();
  return detectedInThisProcess;
}

/**
 * {@link detectMissing} for a caller that cannot wait (a `describe` body is synchronous): one Node
 * child process runs it and prints the missing tools as JSON.
 */
export function detectMissingInChild(env: NodeJS.ProcessEnv = process.env): string[] {
  const registerTs = path.join(__dirname, '..', '..', 'scripts', 'register-ts.js');
  const script = `require(${JSON.stringify(__filename)}).detectMissing().then((m) => process.stdout.write(JSON.stringify(m)))`;
  const run = spawnSync(process.execPath, ['-r', registerTs, '-e', script], { encoding: 'utf-8', env, timeout: 120_000 });
  if (run.status !== 0) throw new Error(`detecting the system tools failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

/**
 * The tools of `needs` missing in this run; under CI a missing tool is an error naming it and the
 * install command instead, so the suite fails rather than skips.
 */
export function missingToolsFor(needs: readonly SystemToolName[], env: NodeJS.ProcessEnv = process.env): SystemToolName[] {
  const missing = needs.filter((tool) => missingSystemTools(env).includes(tool));
  if (missing.length > 0 && isCi(env)) throw new Error(missingToolsNotice(missing, true));
  return missing;
}

/**
 * `describe` when every tool in `needs` is present. Otherwise the block is not even run (its body may
 * do the expensive work at collection time) and a single skipped test names the missing tools; under
 * CI it throws instead ({@link missingToolsFor}).
 */
export function describeWithTools(needs: readonly SystemToolName[], name: string, fn: () => void): void {
  const missing = missingToolsFor(needs);
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  describe(name, () => {
    test.skip(`needs ${missing.join(', ')}: ${INSTALL_COMMAND}`, () => undefined);
  });
}
