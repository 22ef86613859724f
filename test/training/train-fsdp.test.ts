import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCRIPTS_DIR } from '../../constructs/training/recipe-scripts';

/**
 * Runs train_fsdp.py for real: one process on the CPU (no FSDP wrapping, as with WORLD_SIZE 1) on a
 * tiny preset, then again from the checkpoint it wrote. Needs a Python with torch: Debian's
 * python3-torch (torch 1.13), which .ci/run installs, or PYTHON_WITH_TORCH.
 */
const SCRIPT = path.join(SCRIPTS_DIR, 'fsdp', 'train_fsdp.py');

function pythonWithTorch(): string {
  const candidates = [process.env.PYTHON_WITH_TORCH, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['-c', 'import torch, numpy'], { encoding: 'utf-8' }).status === 0) return candidate;
  }
  throw new Error('no Python with torch and numpy: apt-get install python3-torch (.ci/run does), or set PYTHON_WITH_TORCH');
}

interface Record_ { step?: number; loss?: number; event?: string; start_step?: number; sharded?: boolean }

function train(python: string, args: string[]): Record_[] {
  const run = spawnSync(python, [SCRIPT, ...args], { encoding: 'utf-8', env: { ...process.env, WORLD_SIZE: '1' } });
  if (run.status !== 0) throw new Error(`train_fsdp.py exited ${run.status}:\n${run.stderr}`);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record_);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('train_fsdp.py on the CPU', () => {
  const python = pythonWithTorch();
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
  const common = ['--preset', 'tiny', '--vocab-size', '256', '--data', data, '--checkpoint-dir', checkpoints,
    '--batch-size', '8', '--warmup-steps', '5', '--lr', '3e-3', '--save-every', '10'];

  const first = train(python, [...common, '--max-steps', '30']);
  const resumed = train(python, [...common, '--max-steps', '40']);

  test('runs unsharded on one CPU process', () => {
    expect(first[0]).toMatchObject({ event: 'start', sharded: false, start_step: 0 });
  });

  test('the loss is finite and falls', () => {
    const losses = first.filter((r) => r.event === undefined).map((r) => r.loss as number);
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.8);
  });

  test('checkpoints every 10 steps, keeps the newest two, and points latest at the newest', () => {
    expect(first.filter((r) => r.event === 'checkpoint').map((r) => r.step)).toEqual([10, 20, 30]);
    expect(resumed.filter((r) => r.event === 'checkpoint').map((r) => r.step)).toEqual([40]);
    expect(fs.readFileSync(path.join(checkpoints, 'latest'), 'utf-8')).toBe('step-00000040');
    expect(fs.readdirSync(checkpoints).filter((d) => d.startsWith('step-')).sort()).toEqual(['step-00000030', 'step-00000040']);
  });

  test('a second run resumes at the saved step and keeps learning', () => {
    expect(resumed[0]).toMatchObject({ event: 'resumed', step: 30 });
    const steps = resumed.filter((r) => r.event === undefined);
    expect(steps[0].step).toBe(31);
    expect(steps[steps.length - 1].step).toBe(40);
    const lastBefore = first.filter((r) => r.event === undefined).slice(-5).map((r) => r.loss as number);
    expect(mean(steps.slice(-5).map((r) => r.loss as number))).toBeLessThan(mean(lastBefore) + 0.05);
  });

  test('a run stopped and resumed matches an uninterrupted run step for step', () => {
    const args = (dir: string) => ['--preset', 'tiny', '--vocab-size', '256', '--data', data, '--checkpoint-dir', dir,
      '--batch-size', '4', '--warmup-steps', '2', '--lr', '3e-3', '--save-every', '100', '--max-steps', '12'];
    const whole = train(python, args(fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-whole-'))));
    const split = fs.mkdtempSync(path.join(os.tmpdir(), 'fsdp-split-'));
    const firstHalf = train(python, [...args(split), '--stop-at-step', '6']);
    const secondHalf = train(python, args(split));
    const losses = (records: Record_[]) => records.filter((r) => r.event === undefined).map((r) => r.loss);
    expect(losses(firstHalf)).toHaveLength(6);
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
