import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkSystemTools, commandSucceeds, debianPackagesFor, detectMissing, INSTALL_COMMAND, isCi, missingSystemTools,
  missingToolsNotice, SYSTEM_TOOLS, SYSTEM_TOOLS_ENV, type SystemTool,
} from './system-tools';

// Real detection against commands that do or do not exist on any machine.
const TOOLS: Record<string, SystemTool> = {
  present: { description: 'node itself', debianPackages: ['nodejs'], detect: () => commandSucceeds(process.execPath, ['--version']) },
  absent: { description: 'a tool no machine has', debianPackages: ['no-such-package', 'shared-package'], detect: () => commandSucceeds('llm-recipes-no-such-tool-3f9c') },
  failing: { description: 'a command that exits 1', debianPackages: ['shared-package'], detect: () => commandSucceeds(process.execPath, ['-e', 'process.exit(1)']) },
};

describe('system tools', () => {
  test('detects a missing command and a failing one, not a present one', () => {
    expect(detectMissing(TOOLS)).toEqual(['absent', 'failing']);
  });

  test('outside CI, returns the missing tools and the notice names them and the install command', () => {
    expect(checkSystemTools(false, TOOLS)).toEqual(['absent', 'failing']);
    const notice = missingToolsNotice(['absent', 'failing'], false, TOOLS);
    expect(notice).toMatch(/^Skipping the tests that need these missing system tools:/);
    expect(notice).toContain('absent: a tool no machine has');
    expect(notice).toContain(`\`${INSTALL_COMMAND}\` (apt-get install no-such-package shared-package)`);
  });

  test('under CI, a missing tool throws with the install command instead of skipping', () => {
    expect(() => checkSystemTools(true, TOOLS)).toThrow(/CI is set, so missing system tools fail the run[\s\S]*absent[\s\S]*npm run test-tools/);
    expect(checkSystemTools(true, { present: TOOLS.present })).toEqual([]);
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

  test('every registered tool has Debian packages, and an unknown name is an error', () => {
    expect(debianPackagesFor(Object.keys(SYSTEM_TOOLS))).toEqual(expect.arrayContaining(['shellcheck', 'python3-torch']));
    expect(() => debianPackagesFor(['nope'])).toThrow(/unknown system tool 'nope'; known: shellcheck, torch/);
  });

  describe('a Jest run with a suite that needs a missing tool', () => {
    // A real Jest run of a scratch suite, with an empty PATH so that shellcheck is missing (Jest runs
    // its workers with process.execPath, not from PATH).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'system-tools-'));
    const emptyBin = path.join(dir, 'empty-bin');
    fs.mkdirSync(emptyBin);
    const root = path.resolve(__dirname, '..', '..');
    fs.writeFileSync(path.join(dir, 'gated.test.ts'), [
      `import { describeWithTools } from ${JSON.stringify(path.join(root, 'test', 'util', 'system-tools'))};`,
      "describeWithTools(['shellcheck'], 'gated', () => { test('runs', () => { throw new Error('ran without shellcheck'); }); });",
      "test('ungated', () => undefined);",
    ].join('\n'));
    const config = {
      rootDir: dir,
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: path.join(root, 'tsconfig.json'), diagnostics: false }] },
      globalSetup: path.join(root, 'test', 'util', 'system-tools-setup.ts'),
    };
    fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
    const jestBin = require.resolve('jest/bin/jest');
    const env = (ci: string | undefined) => {
      const e: NodeJS.ProcessEnv = { ...process.env, PATH: emptyBin, CI: ci, PYTHON_WITH_TORCH: '' };
      delete e[SYSTEM_TOOLS_ENV];
      if (ci === undefined) delete e.CI;
      return e;
    };
    const jest = (ci: string | undefined) => spawnSync(process.execPath, [jestBin, '--config', path.join(dir, 'jest.config.json'), '--rootDir', dir, '--ci'], {
      cwd: dir, env: env(ci), encoding: 'utf-8', timeout: 120_000,
    });
    const local = jest(undefined);
    const ci = jest('true');
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('outside CI: passes, skips the gated suite, and prints one notice with the install command', () => {
      expect(local.status).toBe(0);
      expect(local.stderr).toMatch(/1 skipped, 1 passed/);
      expect(local.stderr.match(/Skipping the tests that need these missing system tools/g)).toHaveLength(1);
      expect(local.stderr).toMatch(/shellcheck: shellcheck[\s\S]*`npm run test-tools` \(apt-get install shellcheck/);
    });

    test('under CI: fails before any test, naming the tool and the install command', () => {
      expect(ci.status).not.toBe(0);
      expect(ci.stderr).toMatch(/CI is set, so missing system tools fail the run[\s\S]*shellcheck[\s\S]*npm run test-tools/);
      expect(ci.stderr).not.toMatch(/passed/);
    });
  });
});
