import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCRIPTS_DIR } from '../../constructs/training/recipe-scripts';
import { describeWithTools } from '../util/system-tools';

const shellScripts = fs.readdirSync(SCRIPTS_DIR, { recursive: true, encoding: 'utf-8' })
  .filter((f) => f.endsWith('.sh') || f.endsWith('.sbatch'))
  .sort();

describe('job scripts', () => {
  test('every recipe has its scripts', () => {
    expect(shellScripts).toEqual(expect.arrayContaining([
      'common/install-recipe.sh', 'fsdp/fsdp.sbatch', 'fsdp/setup-env.sh', 'fsdp/download-data.sh',
      'neuron/install-neuron.sh', 'neuron/setup-megatron.sh', 'neuron/download-data.sh', 'neuron/tokenize.sh', 'neuron/megatron.sbatch',
    ]));
  });

  test.each(shellScripts)('%s parses (bash -n) and is executable', (file) => {
    const full = path.join(SCRIPTS_DIR, file);
    expect(spawnSync('bash', ['-n', full], { encoding: 'utf-8' }).stderr).toBe('');
    expect(fs.statSync(full).mode & 0o111).not.toBe(0);
  });

  test('install-recipe.sh unpacks a recipe and writes recipe.env from KEY=VALUE arguments', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-recipe-'));
    // A stand-in `aws` on PATH copies the "S3" archive from a local path, so the script runs unchanged.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'aws'), '#!/usr/bin/env bash\n# aws s3 cp --only-show-errors <src> <dst>\ncp "$4" "$5"\n', { mode: 0o755 });
    const archive = path.join(dir, 'recipe.zip');
    execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr("run.sh", "echo hi\\n"); z.close()', archive]);
    const target = path.join(dir, 'target');
    const owner = `${os.userInfo().uid}`;
    execFileSync('bash', [path.join(SCRIPTS_DIR, 'common', 'install-recipe.sh'), archive, target, owner, 'MODEL_PRESET=gpt3-1.3b', 'DATA_PATH=/fsx/data with space/x.bin'], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(fs.readFileSync(path.join(target, 'run.sh'), 'utf-8')).toBe('echo hi\n');
    expect(fs.statSync(path.join(target, 'run.sh')).mode & 0o111).not.toBe(0);
    const env = execFileSync('bash', ['-c', `source "${target}/recipe.env"; printf '%s|%s' "$MODEL_PRESET" "$DATA_PATH"`], { encoding: 'utf-8' });
    expect(env).toBe('gpt3-1.3b|/fsx/data with space/x.bin');
    const bad = spawnSync('bash', [path.join(SCRIPTS_DIR, 'common', 'install-recipe.sh'), archive, target, owner, 'lower=1'], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf-8',
    });
    expect(bad.status).toBe(65);
    expect(bad.stderr).toMatch(/argument 'lower=1' is not KEY=VALUE/);
  });

  test('megatron.sbatch refuses a node count whose NeuronCores TP x PP does not divide', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'megatron-'));
    fs.writeFileSync(path.join(dir, 'recipe.env'), 'export VENV=/x NNM_DIR=/x PRESET_SCRIPT=gpt_175b.sh TENSOR_PARALLEL=32 PIPELINE_PARALLEL=8 PROCESSES_PER_NODE=32\n');
    const run = spawnSync('bash', [path.join(SCRIPTS_DIR, 'neuron', 'megatron.sbatch'), 'train'], {
      env: { ...process.env, SLURM_SUBMIT_DIR: dir, SLURM_JOB_NUM_NODES: '4' }, encoding: 'utf-8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/4 nodes give 128 NeuronCores, which TP 32 x PP 8 does not divide/);
  });
});

describeWithTools(['shellcheck'], 'job scripts with shellcheck', () => {
  // One shellcheck run over every script; its JSON names the file of each finding.
  interface Finding { readonly file: string; readonly line: number; readonly column: number; readonly level: string; readonly code: number; readonly message: string }
  const check = spawnSync('shellcheck', ['-x', '--severity=style', '--format=json1', ...shellScripts.map((f) => path.join(SCRIPTS_DIR, f))], { encoding: 'utf-8' });
  const findings = check.error || check.stdout === '' ? [] : (JSON.parse(check.stdout) as { comments: Finding[] }).comments;
  const findingsIn = (file: string) => findings
    .filter((f) => f.file === path.join(SCRIPTS_DIR, file))
    .map((f) => `${file}:${f.line}:${f.column}: ${f.level}: ${f.message} [SC${f.code}]`);

  test('shellcheck runs over every script and finds nothing', () => {
    if (check.error) throw check.error;
    expect(check.stderr).toBe('');
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.message}`)).toEqual([]);
    expect(check.status).toBe(0);
  });

  test.each(shellScripts)('%s passes shellcheck', (file) => {
    expect(findingsIn(file)).toEqual([]);
  });
});
