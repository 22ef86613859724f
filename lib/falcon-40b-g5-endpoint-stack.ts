import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { alarmActions } from './alarm-topic';
import { addEndpointOutputs } from './outputs';
import { LmiEndpoint, LmiInstanceType, RollingBatch } from '../constructs';
import { FALCON_40B, findHostingInstance, PRICES_AS_OF } from '../constructs/catalog';

/** Properties of the {@link Falcon40bG5EndpointStack}. */
export interface Falcon40bG5EndpointStackProps extends StackProps {
  /**
   * Scale out to this many ml.g5.48xlarge instances on concurrent requests.
   * @default 1: no autoscaling
   */
  readonly maxInstances?: number;
  /**
   * E-mail address told of 5xx errors and high latency, through a KMS-encrypted SNS topic.
   * @default none: the alarms have no action
   */
  readonly alarmEmail?: string;
}

const INSTANCE_TYPE = 'ml.g5.48xlarge';

/**
 * Falcon-40B on one ml.g5.48xlarge (8 x A10G) with the LMI GPU container, tensor parallel 8 and
 * vLLM rolling batch: the configuration AWS's later Falcon-40B samples use.
 */
export class Falcon40bG5EndpointStack extends Stack {
  public readonly endpoint: LmiEndpoint;

  constructor(scope: Construct, id: string, props: Falcon40bG5EndpointStackProps = {}) {
    const instance = findHostingInstance(INSTANCE_TYPE)!;
    const price = instance.pricePerHourUsd === undefined ? 'no catalog price' : `about $${instance.pricePerHourUsd}/h per instance on demand (us-east-1, price of ${PRICES_AS_OF})`;
    super(scope, id, {
      description: `Falcon-40B on a SageMaker LMI endpoint (${INSTANCE_TYPE}, ${instance.devices} x ${instance.accelerator}, `
        + `tensor parallel ${instance.devices}, vLLM rolling batch); ${price}`,
      ...props,
    });
    const maxInstances = props.maxInstances ?? 1;
    if (!Number.isInteger(maxInstances) || maxInstances < 1) {
      throw new Error(`Falcon40bG5EndpointStack: maxInstances ${maxInstances} must be a whole number of at least 1 (context falcon40bMaxInstances)`);
    }
    this.endpoint = new LmiEndpoint(this, 'Falcon40b', {
      model: FALCON_40B,
      instanceType: LmiInstanceType.G5_48XLARGE,
      // Every GPU of the instance: 8 divides Falcon-40B's 128 attention and 8 KV heads.
      tensorParallelDegree: instance.devices,
      rollingBatch: RollingBatch.VLLM,
      autoScaling: maxInstances > 1 ? { maxCapacity: maxInstances } : undefined,
    });
    this.endpoint.addAlarms({ actions: alarmActions(this, props.alarmEmail) });
    addEndpointOutputs(this, this.endpoint);
    Tags.of(this).add('llm-recipe', 'falcon-40b-g5-endpoint');
  }
}
