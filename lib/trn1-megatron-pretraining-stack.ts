import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { describePlan, NeuronMegatronPretraining, PrivateVpc, TrainingStorage } from '../constructs';

/** Properties of the {@link Trn1MegatronPretrainingStack}. */
export interface Trn1MegatronPretrainingStackProps extends StackProps {
  /** @default 'gpt3-6.7b' */
  readonly preset?: string;
  /** @default the preset's tutorial node count */
  readonly nodes?: number;
  /** @default 'trn1.32xlarge' */
  readonly instanceType?: string;
  /** @default none: Neuron installed at node start */
  readonly neuronAmi?: string;
}

/**
 * GPT-3 pretraining with neuronx-nemo-megatron on a ParallelCluster of trn1.32xlarge: a private
 * single-AZ VPC, FSx for Lustre linked to a retained S3 bucket, and the cluster with the job scripts.
 */
export class Trn1MegatronPretrainingStack extends Stack {
  public readonly training: NeuronMegatronPretraining;
  public readonly storage: TrainingStorage;

  constructor(scope: Construct, id: string, props: Trn1MegatronPretrainingStackProps = {}) {
    super(scope, id, props);
    const network = new PrivateVpc(this, 'Network');
    this.storage = new TrainingStorage(this, 'Storage', {
      vpc: network.vpc,
      subnet: network.computeSubnet,
      clientSecurityGroup: network.clusterSecurityGroup,
    });
    this.training = new NeuronMegatronPretraining(this, 'Megatron', {
      vpc: network.vpc,
      subnet: network.computeSubnet,
      clusterSecurityGroup: network.clusterSecurityGroup,
      fileSystemId: this.storage.fileSystemId,
      preset: props.preset,
      nodes: props.nodes,
      instanceType: props.instanceType,
      neuronAmi: props.neuronAmi,
    });
    const plan = this.training.plan;
    this.templateOptions.description = props.description
      ?? `GPT-3 ${this.training.preset.name} pretraining with neuronx-nemo-megatron on AWS ParallelCluster (${plan.nodes} x ${plan.instance.instanceType}, `
        + `TP ${this.training.preset.tensorParallel} x PP ${this.training.preset.pipelineParallel}, EFA, FSx for Lustre). Plan: ${describePlan(plan)}; `
        + `cluster about $${plan.clusterPricePerHourUsd?.toFixed(2) ?? '?'}/h on demand while the nodes run.`;
    this.training.cluster.addOutputs();
    new CfnOutput(this, 'DataBucketName', { description: 'Datasets and checkpoints (appears at /fsx/s3)', value: this.storage.dataBucket.bucketName });
    new CfnOutput(this, 'NextSteps', {
      description: 'On the head node, as ubuntu',
      value: `cd ${this.training.recipeDir} && bash setup-megatron.sh && bash download-data.sh && `
        + `sbatch --nodes ${plan.nodes} megatron.sbatch compile && sbatch --nodes ${plan.nodes} megatron.sbatch train`,
    });
    Tags.of(this).add('llm-recipe', 'trn1-megatron-pretraining');
  }
}
