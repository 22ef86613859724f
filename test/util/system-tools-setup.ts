/**
 * The system tools part of Jest's globalSetup (global-setup.ts; on its own, the globalSetup of the
 * scratch run in system-tools.test.ts): detects the system tools once per run, prints one notice
 * when some are missing, and hands the result to the test files (workers inherit this process's environment). Under CI a
 * missing tool throws here, so the run fails before any test.
 */
import { checkSystemTools, isCi, missingToolsNotice, SYSTEM_TOOLS, SYSTEM_TOOLS_ENV, type SystemTool } from './system-tools';

/** What globalSetup does, with the environment, the tool list and the output as parameters (tested in process). */
export async function setupSystemTools(
  env: NodeJS.ProcessEnv = process.env,
  tools: Readonly<Record<string, SystemTool>> = SYSTEM_TOOLS,
  write: (text: string) => void = (text) => process.stderr.write(text),
): Promise<string[]> {
  const missing = await checkSystemTools(isCi(env), tools);
  env[SYSTEM_TOOLS_ENV] = JSON.stringify(missing);
  if (missing.length > 0) write(`\n${missingToolsNotice(missing, false, tools)}\n\n`);
  return missing;
}

export default async function setup(): Promise<void> {
  await setupSystemTools();
}
