import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRunTmpdir, removeRunTmpdir, RUN_TMPDIR_ENV } from './run-tmpdir';

const HOUR_MS = 60 * 60 * 1000;
const host = os.hostname().replace(/[^A-Za-z0-9.]/g, '_');

describe("the run's temporary directory", () => {
  test('this run writes under a directory of its own, which globalSetup made', () => {
    expect(path.basename(os.tmpdir())).toMatch(/^llm-recipes-test-.+-\d+-/);
    expect((JSON.parse(process.env[RUN_TMPDIR_ENV]!) as { dir: string }).dir).toBe(os.tmpdir());
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

  test('a directory the teardown cannot remove is reported, not thrown', () => {
    const env: NodeJS.ProcessEnv = {};
    const dir = createRunTmpdir(env);
    // Recorded as a directory under a regular file: rmSync cannot get there.
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, 'x');
    env[RUN_TMPDIR_ENV] = JSON.stringify({ dir: path.join(blocker, 'sub'), replaced: {} });
    const warnings: string[] = [];
    expect(() => removeRunTmpdir(env, (text) => warnings.push(text))).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/^Could not remove the test run's temporary directory .*file\/sub .*a later run removes it/)]);
    fs.rmSync(dir, { recursive: true });
  });

  test("removes what this host's ended runs left an hour ago; keeps live runs, recent ones and other hosts'", () => {
    const ended = spawnSync(process.execPath, ['-e', '0']).pid!;
    const make = (owner: string) => fs.mkdtempSync(path.join(os.tmpdir(), `llm-recipes-test-${owner}-`));
    const stale = make(`${host}-${ended}`);
    const recent = make(`${host}-${ended}`);
    const live = make(`${host}-${process.ppid}`);
    const otherHost = make(`another-host-${ended}`);
    const now = Date.now();
    for (const dir of [stale, live, otherHost]) fs.utimesSync(dir, new Date(now - 2 * HOUR_MS), new Date(now - 2 * HOUR_MS));
    const env: NodeJS.ProcessEnv = {};
    createRunTmpdir(env, process.pid, now);
    expect([stale, recent, live, otherHost].map((d) => fs.existsSync(d))).toEqual([false, true, true, true]);
    removeRunTmpdir(env);
    for (const dir of [recent, live, otherHost]) fs.rmSync(dir, { recursive: true });
  });
});
