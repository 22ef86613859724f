/**
 * Jest globalSetup: the run's own temporary directory (run-tmpdir.ts), then the system tools check
 * (system-tools-setup.ts). Both hand their result to the workers through the environment. Jest runs
 * no globalTeardown when this throws (missing tools under CI), so the directory goes here then.
 */
import { createRunTmpdir, removeRunTmpdir } from './run-tmpdir';
import { setupSystemTools } from './system-tools-setup';

export default async function globalSetup(): Promise<void> {
  createRunTmpdir();
  try {
    await setupSystemTools();
  } catch (error) {
    removeRunTmpdir();
    throw error;
  }
}
