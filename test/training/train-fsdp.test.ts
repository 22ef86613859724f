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
 * without one (failed under CI).
 */
const SCRIPT = path.join(SCRIPTS_DIR, 'fsdp', 'train_fsdp.py');

interface Record_ { step?: number; loss?: number; event?: string; start_step?: number; sharded?: boolean }

function train(python: string, args: string[]): Record_[] {
  // One intra-op thread: the tiny model gains nothing from more, and the other Jest worker needs the second core.
  const run = spawnSync(python, [SCRIPT, ...args], { encoding: 'utf-8', env: { ...process.env, WORLD_SIZE: '1', OMP_NUM_THREADS: '1' } });
  if (run.status !== 0) throw new Error(`train_fsdp.py exited ${run.status}:\n${run.stderr}`);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record_);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describeWithTools(['torch'], 'train_fsdp.py on the CPU', () => {
  const found = pythonWithTorch();
  if (!found) throw new Error('the system-tools check found a Python with torch, but it no longer imports');
  const python = found;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-'));
  const data = path.join(dir, 'tokens.bin');
  const checkpoints = path.join(dir, 'checkpoints');
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

  // One uninterrupted run, and the same run stopped after step 8 and resumed.
  const whole = train(python, args(checkpoints));
  const split = fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-split-'));
  const firstHalf = train(python, [...args(split), '--stop-at-step', '8']);
  const secondHalf = train(python, args(split));

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
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-vocab-'));
    const args = ['--preset', 'tiny', '--vocab-size', '100', '--data', data, '--checkpoint-dir', fresh, '--max-steps', '1'];
    const run = spawnSync(python, [SCRIPT, ...args], { encoding: 'utf-8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/token id \d+ is outside the vocabulary of 100/);
  });
});
