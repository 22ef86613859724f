import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { describePlan, FsdpTraining, PrivateVpc, TrainingStorage } from '../constructs';

/** Properties of the {@link FsdpParallelClusterStack}. */
export interface FsdpParallelClusterStackProps extends StackProps {
  /** @default 'p5.48xlarge' */
  readonly instanceType?: string;
  /** Static GPU nodes. @default 2 */
  readonly nodes?: number;
  /** @default none: a placement group */
  readonly capacityReservationId?: string;
}

/**
 * PyTorch FSDP on a ParallelCluster of p5.48xlarge (or p4d.24xlarge): a private single-AZ VPC,
 * FSx for Lustre linked to a retained S3 bucket, and the cluster with the FSDP job scripts.
 */
export class FsdpParallelClusterStack extends Stack {
  public readonly training: FsdpTraining;
  public readonly storage: TrainingStorage;

  constructor(scope: Construct, id: string, props: FsdpParallelClusterStackProps = {}) {
    super(scope, id, props);
    const network = new PrivateVpc(this, 'Network');
    this.storage = new TrainingStorage(this, 'Storage', {
      vpc: network.vpc,
      subnet: network.computeSubnet,
      clientSecurityGroup: network.clusterSecurityGroup,
    });
    this.training = new FsdpTraining(this, 'Fsdp', {
      vpc: network.vpc,
      subnet: network.computeSubnet,
      clusterSecurityGroup: network.clusterSecurityGroup,
      fileSystemId: this.storage.fileSystemId,
      instanceType: props.instanceType,
      nodes: props.nodes,
      capacityReservationId: props.capacityReservationId,
    });
    this.templateOptions.description = props.description
      ?? `PyTorch FSDP on AWS ParallelCluster (${this.training.plan.nodes} x ${this.training.plan.instance.instanceType}, EFA, FSx for Lustre). `
        + `Plan: ${describePlan(this.training.plan)}; cluster about $${this.training.plan.clusterPricePerHourUsd?.toFixed(2) ?? '?'}/h on demand.`;
    this.training.cluster.addOutputs();
    new CfnOutput(this, 'DataBucketName', { description: 'Datasets and checkpoints (appears at /fsx/s3)', value: this.storage.dataBucket.bucketName });
    new CfnOutput(this, 'NextSteps', {
      description: 'On the head node',
      value: `cd ${this.training.recipeDir} && bash setup-env.sh && bash download-data.sh && sbatch --nodes ${this.training.plan.nodes} fsdp.sbatch`,
    });
    Tags.of(this).add('llm-recipe', 'fsdp-parallel-cluster');
  }
}
