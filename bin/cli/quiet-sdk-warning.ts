/**
 * The AWS SDK warns on every run under Node.js 20 that its releases after January 2027 need Node.js
 * 22 (process.emitWarning with a message starting "NodeVersionSupportWarning:"). That notice is not
 * this command's output and would break its one-line errors; every other warning still prints.
 * Imported first by the CLI entry point.
 */
const emitWarning = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning instanceof Error ? warning.message : warning).startsWith('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

export {};
