import { Size, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LmiEndpoint, LmiInstanceType, type ModelSpec } from '../constructs';
import { findHostingInstance, PRICES_AS_OF, ZEPHYR_7B_BETA } from '../constructs/catalog';
import { alarmActions } from './alarm-topic';
import { addEndpointOutputs } from './outputs';

/** Properties of the {@link Inf2LmiEndpointStack}. */
export interface Inf2LmiEndpointStackProps extends StackProps {
  /**
   * The model to serve on Inferentia2; it must be one the LMI neuronx container supports
   * (Falcon is not, and is refused at synth).
   * @default ZEPHYR_7B_BETA
   */
  readonly model?: ModelSpec;
  /** @default 'ml.inf2.8xlarge' */
  readonly instanceType?: string;
  /**
   * E-mail address told of 5xx errors and high latency, through a KMS-encrypted SNS topic.
   * @default none: the alarms have no action
   */
  readonly alarmEmail?: string;
}

/**
 * An Inferentia2 LMI endpoint: Zephyr-7B-beta (Mistral architecture, MIT licence, not gated) on
 * ml.inf2.8xlarge, tensor parallel over both NeuronCores, and LmiEndpoint's Neuron defaults
 * (2048 positions, rolling batch of 4).
 */
export class Inf2LmiEndpointStack extends Stack {
  public readonly endpoint: LmiEndpoint;

  constructor(scope: Construct, id: string, props: Inf2LmiEndpointStackProps = {}) {
    const model = props.model ?? ZEPHYR_7B_BETA;
    const instanceType = props.instanceType ?? 'ml.inf2.8xlarge';
    const instance = findHostingInstance(instanceType);
    super(scope, id, {
      description: `${model.name} on a SageMaker LMI neuronx endpoint (${instanceType}); `
        + (instance?.pricePerHourUsd === undefined ? 'no catalog price' : `about $${instance.pricePerHourUsd}/h per instance on demand (us-east-1, price of ${PRICES_AS_OF})`),
      ...props,
    });
    this.endpoint = new LmiEndpoint(this, 'Endpoint', {
      model,
      instanceType: LmiInstanceType.of(instanceType),
      // Every NeuronCore of the instance; LmiEndpoint refuses a degree that does not shard the model.
      tensorParallelDegree: instance?.devices,
      // AWS's Inferentia2 LMI configurations use 256-512 GiB volumes: the checkpoint plus the
      // Neuron compilation artifacts.
      volumeSize: Size.gibibytes(256),
    });
    this.endpoint.addAlarms({ actions: alarmActions(this, props.alarmEmail) });
    addEndpointOutputs(this, this.endpoint);
    Tags.of(this).add('llm-recipe', 'inf2-lmi-endpoint');
  }
}
