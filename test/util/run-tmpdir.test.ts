import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRunTmpdir, removeRunTmpdir, RUN_TMPDIR_ENV } from './run-tmpdir';

describe("the run's temporary directory", () => {
  test('this run writes under a directory of its own, which globalSetup made', () => {
    expect(path.basename(os.tmpdir())).toMatch(/^llm-recipes-test-\d+-/);
    expect(process.env[RUN_TMPDIR_ENV]).toContain(os.tmpdir());
  });

  test('points TMPDIR, TMP and TEMP at a new directory, and the teardown removes it and restores them', () => {
    const env: NodeJS.ProcessEnv = { TMPDIR: '/somewhere' };
    const dir = createRunTmpdir(env);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect([env.TMPDIR, env.TMP, env.TEMP]).toEqual([dir, dir, dir]);
    fs.writeFileSync(path.join(dir, 'left-by-a-test'), 'x');

    removeRunTmpdir(env);
    expect(fs.existsSync(dir)).toBe(false);
    expect(env).toEqual({ TMPDIR: '/somewhere' });
    expect(() => removeRunTmpdir(env)).not.toThrow();
  });

  test("removes the directories of earlier runs whose process has ended, not a live run's", () => {
    const ended = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = fs.mkdtempSync(path.join(os.tmpdir(), `llm-recipes-test-${ended}-`));
    const live = fs.mkdtempSync(path.join(os.tmpdir(), `llm-recipes-test-${process.ppid}-`));
    const env: NodeJS.ProcessEnv = {};
    createRunTmpdir(env);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    removeRunTmpdir(env);
    fs.rmSync(live, { recursive: true });
  });
});
