import type { StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { NeuronMegatronPretraining } from '../constructs';
import { TrainingClusterStack } from './training-cluster-stack';

/** Properties of the {@link Trn1MegatronPretrainingStack}. */
export interface Trn1MegatronPretrainingStackProps extends StackProps {
  /** @default 'gpt3-6.7b' */
  readonly preset?: string;
  /** @default the preset's tutorial node count */
  readonly nodes?: number;
  /** @default 'trn1.32xlarge' */
  readonly instanceType?: string;
  /** An AMI with the Neuron driver and runtime, built for the cluster's ParallelCluster version. @default none: Neuron installed at node start */
  readonly neuronAmi?: ec2.IMachineImage;
  /** The cluster's Availability Zone, where the instance type has capacity. @default the region's first */
  readonly availabilityZone?: string;
}

/**
 * GPT-3 pretraining with neuronx-nemo-megatron on a ParallelCluster of trn1.32xlarge: a private
 * single-AZ VPC, FSx for Lustre linked to a retained S3 bucket, and the cluster with the job scripts.
 */
export class Trn1MegatronPretrainingStack extends TrainingClusterStack {
  public readonly training: NeuronMegatronPretraining;

  constructor(scope: Construct, id: string, props: Trn1MegatronPretrainingStackProps = {}) {
    super(scope, id, props);
    this.training = new NeuronMegatronPretraining(this, 'Megatron', {
      vpc: this.network.vpc,
      subnet: this.network.computeSubnet,
      clusterSecurityGroup: this.network.clusterSecurityGroup,
      fileSystem: this.storage,
      preset: props.preset,
      nodes: props.nodes,
      instanceType: props.instanceType === undefined ? undefined : new ec2.InstanceType(props.instanceType),
      neuronAmi: props.neuronAmi,
    });
    const { plan, preset } = this.training;
    this.describeRecipe(this.training, {
      description: props.description,
      staticNodes: false,
      summary: `GPT-3 ${preset.name} pretraining with neuronx-nemo-megatron on AWS ParallelCluster (${plan.nodes} x ${plan.instance.instanceType}, `
        + `TP ${preset.tensorParallel} x PP ${preset.pipelineParallel}, EFA, FSx for Lustre)`,
      nextSteps: `cd ${this.training.recipeDir} && bash setup-megatron.sh && bash download-data.sh && `
        + `compile=$(sbatch --parsable --nodes ${plan.nodes} megatron.sbatch compile) && `
        + `sbatch --dependency=afterok:$compile --nodes ${plan.nodes} megatron.sbatch train`,
      tag: 'trn1-megatron-pretraining',
    });
  }
}
