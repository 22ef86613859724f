/**
 * LmiEndpoint beside `@aws-cdk/aws-sagemaker-alpha`: the LMI endpoint goes wherever alpha's
 * `IEndpoint` is expected, and an alpha EndpointConfig/Endpoint serves LmiEndpoint's model on two
 * instance types at once, an A/B test of A10G against L4 GPUs with traffic split 50/50.
 * Imports only the public entry point, as an installed package would.
 */
import * as alpha from '@aws-cdk/aws-sagemaker-alpha';
import { App, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { LmiEndpoint, LmiInstanceType, ModelPreset } from '../constructs';

/** Code written against alpha's interface: it takes any SageMaker endpoint. */
export function allowInvoke(endpoint: alpha.IEndpoint, caller: iam.IGrantable): iam.Grant {
  return endpoint.grantInvoke(caller);
}

export class AlphaAbTestStack extends Stack {
  public readonly endpoint: LmiEndpoint;
  public readonly abEndpoint: alpha.Endpoint;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // Zephyr-7B on ml.g5.12xlarge: LmiEndpoint sizes, checks and configures the LMI container.
    this.endpoint = new LmiEndpoint(this, 'Zephyr', { model: ModelPreset.ZEPHYR_7B_BETA, instanceType: LmiInstanceType.G5_12XLARGE });

    const caller = new iam.Role(this, 'ApplicationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The application that calls both endpoints',
    });
    Validations.of(caller).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'The caller\'s grants are sagemaker:InvokeEndpoint on these endpoints only.' });
    allowInvoke(this.endpoint, caller);

    // The same SageMaker model behind a second, alpha-built endpoint with two variants. Alpha's
    // variants take no start-up timeouts (a 7B model loads within SageMaker's defaults; a 40B one
    // needs LmiEndpoint's), so the model stays LmiEndpoint's and alpha only splits the traffic.
    const model = alpha.Model.fromModelName(this, 'ZephyrModel', this.endpoint.modelName);
    const config = new alpha.EndpointConfig(this, 'AbConfig', {
      instanceProductionVariants: [
        { variantName: 'A10G', model, instanceType: alpha.InstanceType.of('ml.g5.12xlarge'), initialVariantWeight: 1 },
        { variantName: 'L4', model, instanceType: alpha.InstanceType.of('ml.g6.12xlarge'), initialVariantWeight: 1 },
      ],
    });
    // Both instance types have local NVMe storage: SageMaker rejects an endpoint-config KMS key there.
    Validations.of(config).acknowledge({
      id: 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured',
      reason: 'ml.g5 and ml.g6 have hardware-encrypted local NVMe storage; SageMaker rejects an endpoint-config KmsKeyId for them.',
    });
    this.abEndpoint = new alpha.Endpoint(this, 'AbEndpoint', { endpointConfig: config });
    // Alpha 2.159.1's own Endpoint lacks the endpointRef that today's aws-cdk-lib IEndpoint (which
    // alpha's IEndpoint extends) requires, so it is granted directly rather than through allowInvoke.
    this.abEndpoint.grantInvoke(caller);
  }
}

/** Synthesizes the example on its own: `npx ts-node --transpile-only examples/lmi-endpoint-with-alpha.ts`. */
if (require.main === module) {
  const app = new App();
  new AlphaAbTestStack(app, 'AlphaAbTest');
  app.synth();
}
