import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as fsx from 'aws-cdk-lib/aws-fsx';
import { Construct } from 'constructs';
import { FSDP_PRESETS, fsdpHostMemoryError, planTraining, TrainingAccelerator, type TrainingPlan } from '../catalog';
import { PropErrors } from '../private/validation';
import { ParallelCluster } from './parallel-cluster';
import { recipeInstance, trainingInstanceTypes } from './recipe-instance';
import { checkDataRepositoryDir, FSX_MOUNT_DIR, RecipeScripts } from './recipe-scripts';

/** GPU instance types the FSDP recipe runs on: the GPU types of the training catalog. */
export const FSDP_INSTANCE_TYPES: readonly string[] = trainingInstanceTypes(TrainingAccelerator.GPU);

/** Properties of {@link FsdpTraining}. */
export interface FsdpTrainingProps {
  readonly vpc: ec2.IVpc;
  readonly subnet: ec2.ISubnet;
  /** The cluster security group (all traffic between members). */
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /**
   * FSx for Lustre file system mounted at /fsx (a `TrainingStorage`, or any `fsx.IFileSystem`):
   * scripts, environment, data and checkpoints live there.
   */
  readonly fileSystem: fsx.IFileSystem;
  /** p4d.24xlarge or p5.48xlarge. @default p5.48xlarge */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Static GPU nodes (MinCount = MaxCount). A token such as a CloudFormation parameter is accepted;
   * then `plan`, which needs the number, throws.
   * @default 2
   */
  readonly nodes?: number;
  /** Launch into this capacity reservation instead of a placement group. @default none */
  readonly capacityReservationId?: string;
  /** train_fsdp.py preset. @default 'gpt3-1.3b' */
  readonly modelPreset?: string;
  /** Training steps. @default 5000 */
  readonly maxSteps?: number;
  /** Tokens the plan assumes. @default the Chinchilla-optimal 20 tokens per parameter */
  readonly plannedTokens?: number;
  /**
   * Directory on the cluster that the file system links to S3; data and checkpoints go under it,
   * so they are exported to the data bucket.
   * @default '/fsx/s3' (TrainingStorage's default link at /s3 under the /fsx mount)
   */
  readonly dataRepositoryDir?: string;
  /** torch version pip installs into the shared environment. @default '2.7.1' (the awsome-distributed-training FSDP case) */
  readonly torchVersion?: string;
  /** ParallelCluster version. @default DEFAULT_PCLUSTER_VERSION */
  readonly parallelClusterVersion?: string;
}


/**
 * PyTorch FSDP pretraining on a ParallelCluster Slurm cluster of p4d.24xlarge or p5.48xlarge:
 * static nodes with EFA in a placement group (or a capacity reservation), whole-node jobs, the
 * shared FSx for Lustre at /fsx, and the FSDP job scripts installed in /fsx/llm-recipes/fsdp.
 */
export class FsdpTraining extends Construct {
  public readonly cluster: ParallelCluster;
  private readonly trainingPlan: TrainingPlan | undefined;
  /** Where the job scripts are on the cluster. */
  public readonly recipeDir = `${FSX_MOUNT_DIR}/llm-recipes/fsdp`;

  constructor(scope: Construct, id: string, props: FsdpTrainingProps) {
    super(scope, id);
    const instanceType = String(props.instanceType ?? 'p5.48xlarge');
    const nodes = props.nodes ?? 2;
    const preset = props.modelPreset ?? 'gpt3-1.3b';
    const maxSteps = props.maxSteps ?? 5000;
    const errors = new PropErrors('FsdpTraining');
    const checked = recipeInstance(instanceType, TrainingAccelerator.GPU);
    if (typeof checked === 'string') errors.addMessage(checked);
    if (!Token.isUnresolved(nodes) && (!Number.isInteger(nodes) || nodes < 1)) errors.add('nodes', nodes, 'must be a whole number of at least 1');
    if (FSDP_PRESETS[preset] === undefined) errors.add('modelPreset', preset, `is not one of ${Object.keys(FSDP_PRESETS).join(', ')}`);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) errors.add('maxSteps', maxSteps, 'must be a whole number of at least 1');
    if (props.torchVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(props.torchVersion)) {
      errors.add('torchVersion', props.torchVersion, 'must be a release such as 2.7.1');
    }
    if (props.capacityReservationId !== undefined && !Token.isUnresolved(props.capacityReservationId)
      && !/^cr-[0-9a-f]{17}$/.test(props.capacityReservationId)) {
      errors.add('capacityReservationId', props.capacityReservationId, 'must look like cr-0123456789abcdef0');
    }
    errors.addMessage(...checkDataRepositoryDir(props.dataRepositoryDir));
    if (props.plannedTokens !== undefined && !(props.plannedTokens > 0)) errors.add('plannedTokens', props.plannedTokens, 'must be above 0');
    const instance = typeof checked === 'string' ? undefined : checked;
    const params = FSDP_PRESETS[preset];
    const memoryError = instance && params !== undefined ? fsdpHostMemoryError(preset, params, instance) : undefined;
    if (memoryError) errors.addMessage(`modelPreset: ${memoryError}`);
    if (!errors.isEmpty || !instance) throw errors.toError();

    this.trainingPlan = Token.isUnresolved(nodes) ? undefined : planTraining({ parameters: FSDP_PRESETS[preset], tokens: props.plannedTokens, instanceType, nodes });

    const dataDir = props.dataRepositoryDir ?? `${FSX_MOUNT_DIR}/s3`;
    const scripts = new RecipeScripts(this, 'Scripts', {
      recipe: 'fsdp',
      targetDir: this.recipeDir,
      owner: 'ubuntu',
      environment: {
        INSTANCE_TYPE: instanceType,
        GPUS_PER_NODE: String(instance.processesPerNode),
        MODEL_PRESET: preset,
        MAX_STEPS: String(maxSteps),
        TORCH_VERSION: props.torchVersion ?? '2.7.1',
        VENV: `${FSX_MOUNT_DIR}/llm-recipes/venv-fsdp`,
        DATA_PATH: `${dataDir}/data/wikipedia-gpt2/my-gpt2_text_document.bin`,
        CHECKPOINT_DIR: `${dataDir}/checkpoints/fsdp-${preset}`,
      },
    });

    this.cluster = new ParallelCluster(this, 'Cluster', {
      version: props.parallelClusterVersion,
      vpc: props.vpc,
      subnet: props.subnet,
      securityGroups: [props.clusterSecurityGroup],
      headNodeInstanceType: new ec2.InstanceType('m5.8xlarge'),
      headNodeOnNodeConfigured: scripts.onNodeConfigured,
      headNodeS3Access: scripts.s3Access,
      fsxLustre: { fileSystem: props.fileSystem, mountDir: FSX_MOUNT_DIR },
      queues: [{
        name: 'gpu',
        computeResources: [{
          name: instanceType.split('.')[0],
          instanceType: new ec2.InstanceType(instanceType),
          minCount: nodes,
          maxCount: nodes,
          efa: true,
          capacityReservationId: props.capacityReservationId,
        }],
        jobExclusiveAllocation: true,
      }],
    });
  }

  /** Time and cost of the planned tokens; throws when `nodes` is a token, known only at deploy. */
  public get plan(): TrainingPlan {
    if (!this.trainingPlan) {
      throw new Error(`FsdpTraining ${this.node.path}: no plan, since nodes is a token (such as a CloudFormation parameter) whose value is known only at deploy; pass a number to get one`);
    }
    return this.trainingPlan;
  }
}
