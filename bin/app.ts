#!/usr/bin/env node
import { addRecipes } from '../lib/recipes';
import { createRecipeApp } from '../lib/app';
import { RecipeContextError } from '../lib/context';

// Environment-agnostic unless the operator names a target: the templates must not depend on the
// machine or on whichever credentials happen to be loaded (CDK_DEFAULT_* are set by the CLI from
// the profile, so they are deliberately not read).
// An empty variable counts as unset.
const account = process.env.CDK_DEPLOY_ACCOUNT || undefined;
const region = process.env.CDK_DEPLOY_REGION || undefined;
try {
  // No creation stack traces: an error annotation prints as its message, not as a line of lib/recipes.ts.
  const app = createRecipeApp({ stackTraces: false });
  addRecipes(app, account ?? region ? { account, region } : undefined);
  app.synth();
} catch (e) {
  // A bad context value is the user's to fix: one line naming the key, no stack trace. Anything
  // else is a bug and keeps its trace.
  if (!(e instanceof RecipeContextError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
