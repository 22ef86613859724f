import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkSystemTools, commandSucceeds, debianPackagesFor, describeWithTools, detectMissing, detectMissingInChild, INSTALL_COMMAND, isCi, missingSystemTools, missingToolsFor,
  missingToolsNotice, SYSTEM_TOOLS, SYSTEM_TOOLS_ENV, type SystemTool,
} from './system-tools';
import { setupSystemTools } from './system-tools-setup';

// Real detection against commands that do or do not exist on any machine.
const TOOLS: Record<string, SystemTool> = {
  present: { description: 'node itself', debianPackages: ['nodejs'], detect: () => commandSucceeds(process.execPath, ['--version']) },
  absent: { description: 'a tool no machine has', debianPackages: ['no-such-package', 'shared-package'], detect: () => commandSucceeds('llm-recipes-no-such-tool-3f9c') },
  failing: { description: 'a command that exits 1', debianPackages: ['shared-package'], detect: () => commandSucceeds(process.execPath, ['-e', 'process.exit(1)']) },
};

describe('system tools', () => {
  test('detects a missing command and a failing one, not a present one', async () => {
    expect(await detectMissing(TOOLS)).toEqual(['absent', 'failing']);
  });

  test('a command that does not start leaves no timer behind to hold the process open', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    expect(await commandSucceeds('llm-recipes-no-such-tool-3f9c')).toBe(false);
    expect(timers()).toBe(before);
  });

  test('outside CI, returns the missing tools and the notice names them and the install command', async () => {
    expect(await checkSystemTools(false, TOOLS)).toEqual(['absent', 'failing']);
    const notice = missingToolsNotice(['absent', 'failing'], false, TOOLS);
    expect(notice).toMatch(/^Skipping the tests that need these missing system tools:/);
    expect(notice).toContain('absent: a tool no machine has');
    expect(notice).toContain(`\`${INSTALL_COMMAND}\` (apt-get install no-such-package shared-package)`);
  });

  test('under CI, a missing tool throws with the install command instead of skipping', async () => {
    await expect(checkSystemTools(true, TOOLS)).rejects.toThrow(/CI is set, so missing system tools fail the run[\s\S]*absent[\s\S]*npm run test-tools/);
    expect(await checkSystemTools(true, { present: TOOLS.present })).toEqual([]);
  });

  test('CI is set by any value but empty, false or 0', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
  });

  test('the test files read the missing tools that globalSetup handed over', () => {
    expect(missingSystemTools({ [SYSTEM_TOOLS_ENV]: '["shellcheck"]' })).toEqual(['shellcheck']);
    expect(missingSystemTools({ [SYSTEM_TOOLS_ENV]: '[]' })).toEqual([]);
  });

  test('without globalSetup, a child process detects the registered tools with the given environment', () => {
    // An empty PATH: the tools found through PATH are missing; those with absolute candidates depend on the machine.
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-bin-'));
    try {
      const missing = detectMissingInChild({ ...process.env, PATH: emptyBin, PYTHON_WITH_TORCH: '', CHROMIUM_PATH: '' });
      expect(missing).toEqual(expect.arrayContaining(['shellcheck', 'python3', 'japaneseFont']));
      expect(Object.keys(SYSTEM_TOOLS)).toEqual(expect.arrayContaining(missing));
    } finally {
      fs.rmSync(emptyBin, { recursive: true, force: true });
    }
  });

  test('every registered tool has Debian packages, and an unknown name is an error', () => {
    expect(debianPackagesFor(Object.keys(SYSTEM_TOOLS))).toEqual(expect.arrayContaining(['shellcheck', 'python3-torch']));
    expect(() => debianPackagesFor(['nope'])).toThrow(/unknown system tool 'nope'; known: shellcheck, torch/);
  });

  describe('globalSetup, in process', () => {
    test('outside CI: hands the missing tools to the workers and prints one notice with the install command', async () => {
      const env: NodeJS.ProcessEnv = {};
      const written: string[] = [];
      expect(await setupSystemTools(env, TOOLS, (text) => written.push(text))).toEqual(['absent', 'failing']);
      expect(JSON.parse(env[SYSTEM_TOOLS_ENV]!)).toEqual(['absent', 'failing']);
      expect(written).toHaveLength(1);
      expect(written[0]).toMatch(/Skipping the tests that need these missing system tools:[\s\S]*absent: a tool no machine has[\s\S]*`npm run test-tools` \(apt-get install no-such-package shared-package\)/);
    });

    test('outside CI with every tool present: hands over an empty list and prints nothing', async () => {
      const env: NodeJS.ProcessEnv = {};
      const written: string[] = [];
      expect(await setupSystemTools(env, { present: TOOLS.present }, (text) => written.push(text))).toEqual([]);
      expect(env[SYSTEM_TOOLS_ENV]).toBe('[]');
      expect(written).toEqual([]);
    });

    test('under CI: throws (Jest then fails before any test), naming the tool and the install command', async () => {
      const env: NodeJS.ProcessEnv = { CI: 'true' };
      const written: string[] = [];
      await expect(setupSystemTools(env, TOOLS, (text) => written.push(text))).rejects.toThrow(/CI is set, so missing system tools fail the run[\s\S]*absent[\s\S]*npm run test-tools/);
      expect(env[SYSTEM_TOOLS_ENV]).toBeUndefined();
      expect(written).toEqual([]);
    });
  });

  describe('missingToolsFor and describeWithTools', () => {
    // The gate with the environment globalSetup hands over; that a gated block is skipped without its
    // body running is proven by the Jest run below (its gated body throws at collection), so this
    // file registers no skipped test of its own and CI's run shows none.
    const handed = { [SYSTEM_TOOLS_ENV]: '["shellcheck"]' };
    let presentBodyRan = false;
    const saved = process.env[SYSTEM_TOOLS_ENV];
    try {
      process.env[SYSTEM_TOOLS_ENV] = '[]';
      describeWithTools(['torch'], 'gated on a present tool', () => {
        presentBodyRan = true;
        test('runs the body of a block whose tools are present', () => expect(presentBodyRan).toBe(true));
      });
    } finally {
      if (saved === undefined) delete process.env[SYSTEM_TOOLS_ENV];
      else process.env[SYSTEM_TOOLS_ENV] = saved;
    }

    test('outside CI, names the missing tools of a block and none of a present one, whose body runs', () => {
      expect(missingToolsFor(['shellcheck', 'torch'], handed)).toEqual(['shellcheck']);
      expect(missingToolsFor(['torch'], handed)).toEqual([]);
      expect(presentBodyRan).toBe(true);
    });

    test('under CI, a missing tool is an error naming it and the install command', () => {
      expect(() => missingToolsFor(['shellcheck'], { ...handed, CI: 'true' }))
        .toThrow(/CI is set, so missing system tools fail the run[\s\S]*shellcheck[\s\S]*npm run test-tools/);
      expect(missingToolsFor(['torch'], { ...handed, CI: 'true' })).toEqual([]);
    });
  });

  describe('a Jest run with a suite that needs a missing tool', () => {
    // One real Jest run of a scratch suite, with an empty PATH so that shellcheck is missing (Jest
    // runs its workers with process.execPath, not from PATH): globalSetup's result reaches the test
    // file and the gated suite is skipped. The CI failure is globalSetup throwing, tested above.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'system-tools-'));
    const emptyBin = path.join(dir, 'empty-bin');
    fs.mkdirSync(emptyBin);
    const root = path.resolve(__dirname, '..', '..');
    fs.writeFileSync(path.join(dir, 'gated.test.ts'), [
      `import { describeWithTools } from ${JSON.stringify(path.join(root, 'test', 'util', 'system-tools'))};`,
      "describeWithTools(['shellcheck'], 'gated', () => { throw new Error('collected without shellcheck'); });",
      "test('ungated', () => undefined);",
    ].join('\n'));
    const config = {
      rootDir: dir,
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': path.join(root, 'test', 'util', 'esbuild-jest-transform.js') },
      globalSetup: path.join(root, 'test', 'util', 'system-tools-setup.ts'),
    };
    fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
    const jestBin = require.resolve('jest/bin/jest');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyBin, PYTHON_WITH_TORCH: '' };
    delete env[SYSTEM_TOOLS_ENV];
    delete env.CI;
    const local = spawnSync(process.execPath, [jestBin, '--config', path.join(dir, 'jest.config.json'), '--rootDir', dir, '--ci'], {
      cwd: dir, env, encoding: 'utf-8', timeout: 120_000,
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('outside CI: passes, skips the gated suite, and prints one notice with the install command', () => {
      expect(local.status).toBe(0);
      expect(local.stderr).toMatch(/1 skipped, 1 passed/);
      expect(local.stderr.match(/Skipping the tests that need these missing system tools/g)).toHaveLength(1);
      expect(local.stderr).toMatch(/shellcheck: shellcheck[\s\S]*`npm run test-tools` \(apt-get install shellcheck/);
    });
  });
});
