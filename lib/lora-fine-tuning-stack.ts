import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FineTuningCatalog, LoraFineTuning, type ModelSpec } from '../constructs';
import { FALCON_7B } from '../constructs/catalog';
import { addFineTuningOutputs } from './outputs';

/** Properties of the {@link LoraFineTuningStack}. */
export interface LoraFineTuningStackProps extends StackProps {
  /** @default FALCON_7B (Apache-2.0, not gated) */
  readonly model?: ModelSpec;
  /** @default 'ml.g5.2xlarge' */
  readonly instanceType?: string;
}

/**
 * QLoRA instruction tuning on SageMaker, as in AWS's Japanese instruction-tuning notebooks: one
 * ml.g5.2xlarge on spot capacity, r = 16, 512-token cutoff, merged output an LmiEndpoint serves.
 */
export class LoraFineTuningStack extends Stack {
  public readonly fineTuning: LoraFineTuning;

  constructor(scope: Construct, id: string, props: LoraFineTuningStackProps = {}) {
    const model = props.model ?? FALCON_7B;
    const instanceType = props.instanceType ?? FineTuningCatalog.DEFAULT_INSTANCE_TYPE;
    const price = FineTuningCatalog.findInstance(instanceType)?.pricePerHourUsd;
    super(scope, id, {
      description: `LoRA/QLoRA fine-tuning of ${model.name} on SageMaker (${instanceType}, spot); `
        + (price === undefined ? 'no catalog price' : `about $${price}/h on demand before spot savings (us-east-1, price of ${FineTuningCatalog.PRICES_AS_OF})`),
      ...props,
    });
    this.fineTuning = new LoraFineTuning(this, 'FineTuning', { model, instanceType });
    addFineTuningOutputs(this, this.fineTuning);
    Tags.of(this).add('llm-recipe', 'lora-fine-tuning');
  }
}
