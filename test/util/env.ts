/**
 * Runs `fn` with the variables of `vars` set in process.env (undefined deletes one), then restores
 * process.env's variables as they were, whatever `fn` changed. The object stays the same: modules
 * that hold a reference to process.env (the AWS SDK's resolvers) see the changes.
 */
export async function withEnv<T>(vars: Readonly<Record<string, string | undefined>>, fn: () => T | Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
