import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { TeamInferenceStack } from '../examples/lmi-endpoint-in-your-stack';
import { addRecipes, RECIPE_STACK_IDS } from '../lib/recipes';
import { nagAcknowledgements, nagFindings, unusedNagAcknowledgements } from './util/nag-audit';
import { unitTestApp } from './util/synth';

// cdk-nag only: CloudFormation Validate checks these templates once each in test/lib/recipes.test.ts
// and test/examples.
describe('cdk-nag acknowledgements of the recipe app and the example', () => {
  const app = unitTestApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')) });
  addRecipes(app);
  new TeamInferenceStack(app, 'ExampleTeamInference');
  // Synthesis runs both packs and fails on any unacknowledged finding; the audit then runs on the prepared tree.
  app.synth();

  test.each([...RECIPE_STACK_IDS, 'ExampleTeamInference'])('%s acknowledges only findings that fire', (id) => {
    const stack = app.node.findChild(id);
    expect(nagAcknowledgements(stack).length).toBeGreaterThan(0);
    expect(unusedNagAcknowledgements(stack).map((a) => `${a.id} on ${a.path}`)).toEqual([]);
  });

  test('the app runs the AwsSolutions and NIST 800-53 R5 packs', () => {
    const findings = nagFindings(app);
    expect(findings.some((f) => f.ruleId.startsWith('AwsSolutions-'))).toBe(true);
    expect(findings.some((f) => f.ruleId.startsWith('NIST.800.53.R5-'))).toBe(true);
    expect(findings.filter((f) => !f.acknowledged)).toEqual([]);
  });
});

describe('the acknowledgement audit', () => {
  function auditedStack() {
    const app = unitTestApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-audit-')) });
    const stack = new Stack(app, 'Audited');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }));
    Validations.of(role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]', reason: 'test' },
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'test' },
    );
    return { app, stack, role };
  }

  test('reports an acknowledgement that matches no finding, with its construct path', () => {
    const { app, stack } = auditedStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    // S1 (bucket access logs) never fires on a role, SM1 (notebook instances) never on a bucket.
    Validations.of(stack.node.findChild('Role')).acknowledge({ id: 'AwsSolutions-S1', reason: 'dead' });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-SM1', reason: 'dead' });
    expect(() => app.synth()).toThrow(); // the bucket's own findings are not acknowledged
    expect(unusedNagAcknowledgements(stack).map((a) => `${a.id} on ${a.path}`).sort()).toEqual([
      'AwsSolutions-S1 on Audited/Role',
      'AwsSolutions-SM1 on Audited/Bucket',
    ]);
  });

  test('matches a granular ID exactly, and only on the acknowledging construct and its children', () => {
    const { stack, role } = auditedStack();
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::other/*]', reason: 'wrong resource' });
    const sibling = new iam.Role(stack, 'Sibling', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    Validations.of(sibling).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'fires on Role, not here' });
    expect(unusedNagAcknowledgements(stack).map((a) => `${a.id} on ${a.path}`).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::other/*] on Audited/Role',
      'NIST.800.53.R5-IAMNoInlinePolicy on Audited/Sibling',
    ]);
  });

  test('reports findings with acknowledgements ignored, marking those an acknowledgement covers', () => {
    const { stack } = auditedStack();
    const findings = nagFindings(stack, [new AwsSolutionsChecks(), new NIST80053R5Checks()]);
    expect(findings).toEqual(expect.arrayContaining([
      { ruleId: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]', path: 'Audited/Role/DefaultPolicy/Resource', acknowledged: true },
      { ruleId: 'NIST.800.53.R5-IAMNoInlinePolicy', path: 'Audited/Role/DefaultPolicy/Resource', acknowledged: true },
    ]));
    expect(unusedNagAcknowledgements(stack)).toEqual([]);
  });
});
