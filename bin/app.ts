#!/usr/bin/env node
import { addRecipes } from '../lib/recipes';
import { createRecipeApp } from '../lib/app';

// Environment-agnostic unless the operator names a target: the templates must not depend on the
// machine or on whichever credentials happen to be loaded (CDK_DEFAULT_* are set by the CLI from
// the profile, so they are deliberately not read).
const account = process.env.CDK_DEPLOY_ACCOUNT;
const region = process.env.CDK_DEPLOY_REGION;
const app = createRecipeApp();
addRecipes(app, account || region ? { account, region } : undefined);
app.synth();
