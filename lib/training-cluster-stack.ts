import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addClusterOutputs } from './outputs';
import { PrivateVpc, TrainingStorage, type ParallelCluster, type TrainingPlan } from '../constructs';
import { describePlan } from '../constructs/catalog';

/** What a training recipe adds on top of the shared network and storage. */
export interface TrainingRecipe {
  readonly cluster: ParallelCluster;
  readonly plan: TrainingPlan;
}

/**
 * The part both training recipes share: the private single-AZ network, FSx for Lustre with its
 * retained S3 bucket, and, once the recipe's cluster exists, its plan in the description and the
 * outputs an operator needs after deploy.
 */
export abstract class TrainingClusterStack extends Stack {
  public readonly network: PrivateVpc;
  public readonly storage: TrainingStorage;

  protected constructor(scope: Construct, id: string, props: StackProps & { readonly availabilityZone?: string }) {
    super(scope, id, props);
    this.network = new PrivateVpc(this, 'Network', { availabilityZone: props.availabilityZone });
    this.storage = new TrainingStorage(this, 'Storage', {
      vpc: this.network.vpc,
      subnet: this.network.computeSubnet,
      clientSecurityGroup: this.network.clusterSecurityGroup,
    });
  }

  /** Description with the plan and hourly cost, outputs, and the recipe tag. */
  protected describeRecipe(recipe: TrainingRecipe, options: { summary: string; nextSteps: string; tag: string; staticNodes: boolean; description?: string }): void {
    // The cluster validates the file system's security groups and needs the NAT route to bootstrap.
    recipe.cluster.node.addDependency(this.storage, this.network);
    const plan = recipe.plan;
    this.templateOptions.description = options.description
      ?? `${options.summary}. Plan: ${describePlan(plan)}; cluster about $${plan.clusterPricePerHourUsd?.toFixed(2) ?? '?'}/h on demand `
        + `${options.staticNodes ? 'from deploy (static nodes)' : 'while the nodes run'}.`;
    addClusterOutputs(this, recipe.cluster);
    new CfnOutput(this, 'DataBucketName', { description: 'Datasets and checkpoints (appears at /fsx/s3)', value: this.storage.dataBucket.bucketName });
    new CfnOutput(this, 'NextSteps', { description: 'On the head node, as ubuntu', value: options.nextSteps });
    Tags.of(this).add('llm-recipe', options.tag);
  }
}
