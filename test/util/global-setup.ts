/**
 * Jest globalSetup: the run's own temporary directory (run-tmpdir.ts), then the system tools check
 * (system-tools-setup.ts). Both hand their result to the workers through the environment.
 */
import { createRunTmpdir } from './run-tmpdir';
import { setupSystemTools } from './system-tools-setup';

export default async function globalSetup(): Promise<void> {
  createRunTmpdir();
  await setupSystemTools();
}
