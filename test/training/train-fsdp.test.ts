import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCRIPTS_DIR } from '../../constructs/training/recipe-scripts';
import { describeWithTools, pythonWithTorch } from '../util/system-tools';

/**
 * Runs train_fsdp.py for real: one process on the CPU (no FSDP wrapping, as with WORLD_SIZE 1) on a
 * tiny preset, then again from the checkpoint it wrote. Needs a Python with torch: Debian's
 * python3-torch (torch 1.13), which `npm run test-tools` installs, or PYTHON_WITH_TORCH; skipped
 * without one (failed under CI). Every run of the script is one run of its command line inside one
 * interpreter (test/training/fsdp/run_train_fsdp.py), which imports torch once.
 */
const SCRIPT = path.join(SCRIPTS_DIR, 'fsdp', 'train_fsdp.py');
const RUNNER = path.join(__dirname, 'fsdp', 'run_train_fsdp.py');

interface Record_ { step?: number; loss?: number; event?: string; start_step?: number; sharded?: boolean }
interface ScriptRun { readonly status: number; readonly stdout: string; readonly stderr: string }

/** Runs train_fsdp.py once per entry of `runs`, in order, and returns each run's exit status and output by name. */
function runScript(python: string, runs: ReadonlyArray<{ name: string; args: string[] }>): Record<string, ScriptRun> {
  // One intra-op thread: the tiny model gains nothing from more, and the other Jest worker needs the second core.
  const run = spawnSync(python, ['-B', RUNNER], {
    input: JSON.stringify({ script: SCRIPT, runs }), encoding: 'utf-8', env: { ...process.env, WORLD_SIZE: '1', OMP_NUM_THREADS: '1' }, timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`run_train_fsdp.py exited ${run.status ?? run.signal}:\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { runs: Record<string, ScriptRun> }).runs;
}

function records(run: ScriptRun): Record_[] {
  if (run.status !== 0) throw new Error(`train_fsdp.py exited ${run.status}:\n${run.stderr}`);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record_);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describeWithTools(['torch'], 'train_fsdp.py on the CPU', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-'));
  const data = path.join(dir, 'tokens.bin');
  const checkpoints = path.join(dir, 'checkpoints');
  const split = path.join(dir, 'split');
  // A learnable corpus: 8 random 16-token phrases over a 256-token vocabulary, in random order.
  const phrases = Array.from({ length: 8 }, (_, p) => Array.from({ length: 16 }, (_, i) => (p * 31 + i * 17 + ((p * i) % 7)) % 256));
  const tokens = new Uint16Array(4000 * 16);
  let seed = 7;
  for (let n = 0; n < 4000; n++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    tokens.set(phrases[seed % 8], n * 16);
  }
  fs.writeFileSync(data, Buffer.from(tokens.buffer));
  const args = (dir: string) => ['--preset', 'tiny', '--vocab-size', '256', '--data', data, '--checkpoint-dir', dir,
    '--batch-size', '4', '--warmup-steps', '4', '--lr', '4e-3', '--save-every', '4', '--max-steps', '16'];
  const losses = (records: Record_[]) => records.filter((r) => r.event === undefined).map((r) => r.loss as number);

  // One uninterrupted run; the same run stopped after step 8 and resumed; a corpus outside the vocabulary.
  let whole: Record_[];
  let firstHalf: Record_[];
  let secondHalf: Record_[];
  let outsideVocabulary: ScriptRun;
  beforeAll(async () => {
    const found = await pythonWithTorch();
    if (!found) throw new Error('the system-tools check found a Python with torch, but it is gone');
    const runs = runScript(found, [
      { name: 'whole', args: args(checkpoints) },
      { name: 'firstHalf', args: [...args(split), '--stop-at-step', '8'] },
      { name: 'secondHalf', args: args(split) },
      { name: 'outsideVocabulary', args: ['--preset', 'tiny', '--vocab-size', '100', '--data', data, '--checkpoint-dir', path.join(dir, 'vocab'), '--max-steps', '1'] },
    ]);
    whole = records(runs.whole);
    firstHalf = records(runs.firstHalf);
    secondHalf = records(runs.secondHalf);
    outsideVocabulary = runs.outsideVocabulary;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs unsharded on one CPU process', () => {
    expect(whole[0]).toMatchObject({ event: 'start', sharded: false, start_step: 0 });
  });

  test('the loss is finite and falls', () => {
    const l = losses(whole);
    expect(l).toHaveLength(16);
    expect(l.every(Number.isFinite)).toBe(true);
    expect(mean(l.slice(-5))).toBeLessThan(mean(l.slice(0, 5)) * 0.85);
  });

  test('checkpoints every 4 steps, keeps the newest two, and points latest at the newest', () => {
    expect(whole.filter((r) => r.event === 'checkpoint').map((r) => r.step)).toEqual([4, 8, 12, 16]);
    expect(fs.readFileSync(path.join(checkpoints, 'latest'), 'utf-8')).toBe('step-00000016');
    expect(fs.readdirSync(checkpoints).filter((d) => d.startsWith('step-')).sort()).toEqual(['step-00000012', 'step-00000016']);
  });

  test('a stopped run resumes at the saved step', () => {
    expect(losses(firstHalf)).toHaveLength(8);
    expect(secondHalf[0]).toMatchObject({ event: 'resumed', step: 8 });
    expect(secondHalf.filter((r) => r.event === undefined)[0].step).toBe(9);
  });

  test('stopped and resumed, it matches the uninterrupted run loss for loss', () => {
    expect([...losses(firstHalf), ...losses(secondHalf)]).toEqual(losses(whole));
  });

  test('refuses a corpus with ids outside the vocabulary', () => {
    expect(outsideVocabulary.status).not.toBe(0);
    expect(outsideVocabulary.stderr).toMatch(/token id \d+ is outside the vocabulary of 100/);
  });
});
