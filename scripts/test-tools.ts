/**
 * `npm run test-tools`: installs the Debian/Ubuntu packages of the system tools the tests need
 * (test/util/system-tools.ts is the list), with sudo when not root. `.ci/run` calls it too.
 * `--print` only prints the packages of the missing tools.
 */
import { spawnSync } from 'child_process';
import { debianPackagesFor, detectMissing } from '../test/util/system-tools';

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? [command, args] : ['sudo', [command, ...args]];
  console.error(`+ ${[cmd, ...argv].join(' ')}`);
  const result = spawnSync(cmd, argv, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw new Error(`${cmd} failed to start: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main(): Promise<void> {
  const missing = await detectMissing();
  if (missing.length === 0) {
    console.error('test-tools: every system tool the tests need is present');
    process.exit(0);
  }
  const packages = debianPackagesFor(missing);
  if (process.argv.includes('--print')) {
    console.log(packages.join(' '));
    process.exit(0);
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`test-tools: no apt-get here; install the equivalent of these Debian packages: ${packages.join(' ')}`);
    process.exit(1);
  }
  console.error(`test-tools: installing ${packages.join(' ')} for ${missing.join(', ')}`);
  run('apt-get', ['update', '-qq']);
  // Recommends (libtorch-dev, build-essential and their GUI libraries) add minutes and nothing the tests use.
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  const still = await detectMissing();
  if (still.length > 0) {
    console.error(`test-tools: still missing after the install: ${still.join(', ')}`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
