/**
 * cdk-nag census: `node -r ./scripts/register-ts.js test/util/nag-census.ts [--list]`. Synthesizes
 * every recipe stack and the example of examples/ without validation plugins, then runs each pack
 * of the recipe app (AwsSolutions, NIST 800-53 R5) over each stack and prints, per pack per stack,
 * the raw findings (acknowledgements ignored) and those no acknowledgement covers; `--list` also
 * prints each unacknowledged finding. A finding is one rule ID on one resource.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { TeamInferenceStack } from '../../examples/lmi-endpoint-in-your-stack';
import { RECIPE_APP_CONTEXT } from '../../lib/app';
import { addRecipes } from '../../lib/recipes';
import { nagFindings, recipeNagPacks, unusedNagAcknowledgements } from './nag-audit';
import { SKIP_BUNDLING } from './synth';

const app = new App({
  analyticsReporting: false,
  outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-census-')),
  context: { ...RECIPE_APP_CONTEXT, ...SKIP_BUNDLING },
});
addRecipes(app);
new TeamInferenceStack(app, 'ExampleTeamInference');
app.synth();

const list = process.argv.includes('--list');
console.log(`${'stack'.padEnd(26)} ${'pack'.padEnd(16)} ${'raw'.padStart(5)} ${'unack'.padStart(5)}`);
for (const stack of app.node.children.filter((c): c is Stack => Stack.isStack(c))) {
  for (const pack of recipeNagPacks()) {
    const findings = nagFindings(stack, [pack]);
    const open = findings.filter((f) => !f.acknowledged);
    console.log(`${stack.stackName.padEnd(26)} ${pack.readPackName.padEnd(16)} ${String(findings.length).padStart(5)} ${String(open.length).padStart(5)}`);
    if (list) for (const f of open) console.log(`    ${f.ruleId}  ${f.path}`);
  }
  for (const a of unusedNagAcknowledgements(stack)) console.log(`    UNUSED acknowledgement ${a.id} on ${a.path}`);
}
