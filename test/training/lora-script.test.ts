import { spawnSync } from 'child_process';
import * as path from 'path';
import { describeWithTools } from '../util/system-tools';

/**
 * The LoRA training script's pure logic (record validation, prompts, hyperparameters, checkpoints,
 * manifest) under python3's unittest, and py_compile of every script file (the model code needs
 * torch, transformers, TRL and PEFT, which are not installed here: it is compiled, not run). One
 * child process (test/training/lora/run_tests.py) runs everything; each Python test is a Jest test.
 */
interface PythonResult { readonly name: string; readonly status: 'passed' | 'failed'; readonly message: string }

describeWithTools(['python3'], 'LoRA training script (python3 unittest)', () => {
  const run = spawnSync('python3', ['-B', path.join(__dirname, 'lora', 'run_tests.py')], { encoding: 'utf-8', timeout: 120_000 });
  let results: PythonResult[] = [];
  let crash: string | undefined;
  try {
    if (run.status !== 0) throw new Error(`exited ${run.status ?? run.signal}`);
    results = (JSON.parse(run.stdout) as { results: PythonResult[] }).results;
  } catch (e) {
    crash = `run_tests.py failed (${(e as Error).message}):\n${run.stderr}${run.stdout}`;
  }

  test('the Python run reports its tests and compiles every script file', () => {
    expect(crash).toBeUndefined();
    const names = results.map((r) => r.name);
    for (const file of ['train.py', 'records.py', 'hparams.py', 'prompts.py', 'checkpoints.py', 'manifest.py', 'runtime.py']) {
      expect(names).toContain(`py_compile ${file}`);
    }
    expect(names.filter((n) => n.startsWith('test_lora.')).length).toBeGreaterThanOrEqual(30);
  });

  test.each(results.map((r) => [r.name, r] as const))('%s', (_name, result) => {
    if (result.status !== 'passed') throw new Error(result.message);
  });
});
