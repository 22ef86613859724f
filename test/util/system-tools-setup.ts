/**
 * Jest globalSetup: detects the system tools once per run, prints one notice when some are missing,
 * and hands the result to the test files (workers inherit this process's environment). Under CI a
 * missing tool throws here, so the run fails before any test.
 */
import { checkSystemTools, isCi, missingToolsNotice, SYSTEM_TOOLS_ENV } from './system-tools';

export default function setup(): void {
  const ci = isCi();
  const missing = checkSystemTools(ci);
  process.env[SYSTEM_TOOLS_ENV] = JSON.stringify(missing);
  if (missing.length > 0) process.stderr.write(`\n${missingToolsNotice(missing, false)}\n\n`);
}
