/** Jest globalTeardown: removes the run's temporary directory (run-tmpdir.ts). */
import { removeRunTmpdir } from './run-tmpdir';

export default function globalTeardown(): void {
  removeRunTmpdir();
}
