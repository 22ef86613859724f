import type { StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { FsdpTraining } from '../constructs';
import { TrainingClusterStack } from './training-cluster-stack';

/** Properties of the {@link FsdpParallelClusterStack}. */
export interface FsdpParallelClusterStackProps extends StackProps {
  /** @default 'p5.48xlarge' */
  readonly instanceType?: string;
  /** Static GPU nodes. @default 2 */
  readonly nodes?: number;
  /** @default none: a placement group */
  readonly capacityReservationId?: string;
  /** The cluster's Availability Zone, where the instance type has capacity. @default the region's first */
  readonly availabilityZone?: string;
}

/**
 * PyTorch FSDP on a ParallelCluster of p5.48xlarge (or p4d.24xlarge): a private single-AZ VPC,
 * FSx for Lustre linked to a retained S3 bucket, and the cluster with the FSDP job scripts.
 */
export class FsdpParallelClusterStack extends TrainingClusterStack {
  public readonly training: FsdpTraining;

  constructor(scope: Construct, id: string, props: FsdpParallelClusterStackProps = {}) {
    super(scope, id, props);
    this.training = new FsdpTraining(this, 'Fsdp', {
      vpc: this.network.vpc,
      subnet: this.network.computeSubnet,
      clusterSecurityGroup: this.network.clusterSecurityGroup,
      fileSystem: this.storage,
      instanceType: props.instanceType === undefined ? undefined : new ec2.InstanceType(props.instanceType),
      nodes: props.nodes,
      capacityReservationId: props.capacityReservationId,
    });
    const { plan } = this.training;
    this.describeRecipe(this.training, {
      description: props.description,
      staticNodes: true,
      summary: `PyTorch FSDP on AWS ParallelCluster (${plan.nodes} x ${plan.instance.instanceType}, EFA, FSx for Lustre)`,
      nextSteps: `cd ${this.training.recipeDir} && bash setup-env.sh && bash download-data.sh && sbatch --nodes ${plan.nodes} fsdp.sbatch`,
      tag: 'fsdp-parallel-cluster',
    });
  }
}
