import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as alpha from '@aws-cdk/aws-sagemaker-alpha';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlphaAbTestStack } from '../../examples/lmi-endpoint-with-alpha';
import { unusedNagAcknowledgements } from '../util/nag-audit';
import { reportedViolations, validatedApp } from '../util/synth';

describe('example: LmiEndpoint with @aws-cdk/aws-sagemaker-alpha', () => {
  // The one synthesis of this example: cdk-nag and CloudFormation Validate on.
  const app = validatedApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'alpha-example-')) });
  const stack = new AlphaAbTestStack(app, 'AlphaAbTest');
  const template = Template.fromStack(stack);

  test('synthesizes with no unacknowledged cdk-nag or CloudFormation Validate finding', () => {
    expect(reportedViolations(app.outdir)).toEqual([]);
    expect(unusedNagAcknowledgements(stack).map((a) => `${a.id} on ${a.path}`)).toEqual([]);
  });

  test('the alpha endpoint config serves LmiEndpoint\'s model in two variants, split evenly', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({ VariantName: 'A10G', InstanceType: 'ml.g5.12xlarge', InitialVariantWeight: 1, ModelName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ZephyrModel'), 'ModelName'] } }),
        Match.objectLike({ VariantName: 'L4', InstanceType: 'ml.g6.12xlarge', InitialVariantWeight: 1, ModelName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ZephyrModel'), 'ModelName'] } }),
      ],
    });
    template.resourceCountIs('AWS::SageMaker::Model', 1);
    template.resourceCountIs('AWS::SageMaker::Endpoint', 2);
  });

  test('the caller may invoke both endpoints, the LmiEndpoint through alpha\'s IEndpoint', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ApplicationRole') }],
      PolicyDocument: { Statement: [Match.objectLike({
        Action: 'sagemaker:InvokeEndpoint',
        Resource: [{ Ref: Match.stringLikeRegexp('^AbEndpoint') }, { Ref: Match.stringLikeRegexp('^Zephyr') }],
      })] },
    });
  });

  test('README fact: alpha 2.159.1 endpoints have no endpointRef at run time, LmiEndpoint has one', () => {
    // (At compile time too: alpha's Endpoint is not assignable to alpha's IEndpoint under aws-cdk-lib 2.276.)
    expect((stack.abEndpoint as unknown as { endpointRef?: unknown }).endpointRef).toBeUndefined();
    const lmi: alpha.IEndpoint = stack.endpoint;
    expect(stack.resolve(lmi.endpointRef.endpointArn)).toEqual(stack.resolve(stack.endpoint.endpointArn));
  });
});
