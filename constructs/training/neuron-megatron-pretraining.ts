import * as path from 'path';
import { Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import {
  findMegatronPreset, MEGATRON_GPT3_PRESETS, megatronNodesError, planTraining, TrainingAccelerator,
  type MegatronGpt3Preset, type TrainingPlan,
} from '../catalog';
import { PropErrors } from '../private/validation';
import { ClusterOs, ParallelCluster } from './parallel-cluster';
import { recipeInstance, trainingInstanceTypes } from './recipe-instance';
import { checkDataRepositoryDir, FSX_MOUNT_DIR, RecipeScripts, SCRIPTS_DIR } from './recipe-scripts';

/** Trainium instance types of the recipe: the Trainium types of the training catalog. */
export const TRAINIUM_INSTANCE_TYPES: readonly string[] = trainingInstanceTypes(TrainingAccelerator.TRAINIUM);

/**
 * neuronx-nemo-megatron commit the setup script checks out: the 2.21 release (2024-12-19), the
 * last before Neuron ended NeMo Megatron support in release 2.23.
 */
export const NEURONX_NEMO_MEGATRON_COMMIT = 'f4743cef5a1c8dc9eeb6b3d128e01693e041a9be';

/** Properties of {@link NeuronMegatronPretraining}. */
export interface NeuronMegatronPretrainingProps {
  readonly vpc: ec2.IVpc;
  readonly subnet: ec2.ISubnet;
  /** The cluster security group (all traffic between members). */
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /** FSx for Lustre file system mounted at /fsx (a `TrainingStorage`, or any `fsx.IFileSystem`). */
  readonly fileSystem: fsx.IFileSystem;
  /** trn1.32xlarge or trn1n.32xlarge. @default trn1.32xlarge */
  readonly instanceType?: ec2.InstanceType;
  /** A MEGATRON_GPT3_PRESETS name. @default 'gpt3-6.7b' */
  readonly preset?: string;
  /** Trainium nodes in the queue (MaxCount; nodes start with jobs). @default the preset's tutorial node count */
  readonly nodes?: number;
  /**
   * An AMI with the Neuron driver and runtime, built for this ParallelCluster version with
   * `pcluster build-image` (for example from a Neuron DLAMI). Without one, every node installs them
   * from the Neuron apt repository at start.
   * @default the official ParallelCluster Ubuntu 22.04 AMI
   */
  readonly neuronAmi?: ec2.IMachineImage;
  /**
   * Directory on the cluster that the file system links to S3; the dataset goes under it.
   * @default '/fsx/s3' (TrainingStorage's default link at /s3 under the /fsx mount)
   */
  readonly dataRepositoryDir?: string;
  /** Tokens the plan assumes. @default the Chinchilla-optimal 20 tokens per parameter */
  readonly plannedTokens?: number;
  /** ParallelCluster version. @default DEFAULT_PCLUSTER_VERSION */
  readonly parallelClusterVersion?: string;
}


/**
 * GPT-3 pretraining with neuronx-nemo-megatron on a ParallelCluster of trn1.32xlarge (or
 * trn1n.32xlarge): EFA, a placement group, FSx for Lustre at /fsx, the Neuron runtime on every
 * node, and the job scripts (setup, data, tokenisation, compile, train) in /fsx/llm-recipes/megatron.
 */
export class NeuronMegatronPretraining extends Construct {
  public readonly cluster: ParallelCluster;
  public readonly preset: MegatronGpt3Preset;
  public readonly nodes: number;
  public readonly plan: TrainingPlan;
  public readonly recipeDir = `${FSX_MOUNT_DIR}/llm-recipes/megatron`;

  constructor(scope: Construct, id: string, props: NeuronMegatronPretrainingProps) {
    super(scope, id);
    const instanceType = String(props.instanceType ?? 'trn1.32xlarge');
    const presetName = props.preset ?? 'gpt3-6.7b';
    const preset = findMegatronPreset(presetName);
    const errors = new PropErrors('NeuronMegatronPretraining');
    const checked = recipeInstance(instanceType, TrainingAccelerator.TRAINIUM);
    if (typeof checked === 'string') errors.addMessage(checked);
    const instance = typeof checked === 'string' ? undefined : checked;
    if (!preset) errors.add('preset', presetName, `is not one of ${MEGATRON_GPT3_PRESETS.map((p) => p.name).join(', ')}`);
    const nodes = props.nodes ?? preset?.defaultNodes ?? 1;
    if (Token.isUnresolved(nodes)) {
      errors.addMessage('nodes: a token such as a CloudFormation parameter is not accepted here; the node count must be a number at synth, to check that the preset\'s TP x PP divides the NeuronCores and to write NODES into the job environment');
    } else if (!Number.isInteger(nodes) || nodes < 1) {
      errors.add('nodes', nodes, 'must be a whole number of at least 1');
    } else if (preset && instance) {
      errors.addMessage(megatronNodesError(preset, nodes, instance));
    }
    errors.addMessage(...checkDataRepositoryDir(props.dataRepositoryDir));
    if (props.plannedTokens !== undefined && !(props.plannedTokens > 0)) errors.add('plannedTokens', props.plannedTokens, 'must be above 0');
    if (!errors.isEmpty || !preset || !instance) throw errors.toError();
    this.preset = preset;
    this.nodes = nodes;
    this.plan = planTraining({ parameters: preset.parameters, tokens: props.plannedTokens, instanceType, nodes });

    const scripts = new RecipeScripts(this, 'Scripts', {
      recipe: 'neuron',
      targetDir: this.recipeDir,
      owner: 'ubuntu',
      environment: {
        INSTANCE_TYPE: instanceType,
        PRESET: preset.name,
        PRESET_SCRIPT: preset.script,
        TENSOR_PARALLEL: String(preset.tensorParallel),
        PIPELINE_PARALLEL: String(preset.pipelineParallel),
        NODES: String(nodes),
        PROCESSES_PER_NODE: String(instance.processesPerNode),
        VENV: `${FSX_MOUNT_DIR}/llm-recipes/venv-neuron`,
        NNM_DIR: `${FSX_MOUNT_DIR}/llm-recipes/neuronx-nemo-megatron`,
        NNM_COMMIT: NEURONX_NEMO_MEGATRON_COMMIT,
        DATA_DIR: `${props.dataRepositoryDir ?? `${FSX_MOUNT_DIR}/s3`}/data/gpt2`,
      },
    });
    const neuronInstaller = new s3assets.Asset(this, 'NeuronInstaller', { path: path.join(SCRIPTS_DIR, 'neuron', 'install-neuron.sh') });

    this.cluster = new ParallelCluster(this, 'Cluster', {
      version: props.parallelClusterVersion,
      vpc: props.vpc,
      subnet: props.subnet,
      securityGroups: [props.clusterSecurityGroup],
      os: ClusterOs.UBUNTU_2204,
      customAmi: props.neuronAmi,
      // The samples' head node: c5.4xlarge with a large root volume for builds.
      headNodeInstanceType: new ec2.InstanceType('c5.4xlarge'),
      headNodeRootVolumeSize: Size.gibibytes(512),
      headNodeOnNodeConfigured: scripts.onNodeConfigured,
      headNodeS3Access: scripts.s3Access,
      fsxLustre: { fileSystem: props.fileSystem, mountDir: FSX_MOUNT_DIR },
      queues: [{
        name: 'trn1',
        computeResources: [{ name: instanceType.split('.')[0], instanceType: new ec2.InstanceType(instanceType), minCount: 0, maxCount: nodes, efa: true }],
        jobExclusiveAllocation: true,
        onNodeConfigured: { script: neuronInstaller.s3ObjectUrl },
        s3Access: [{ bucket: neuronInstaller.bucket, keyName: neuronInstaller.s3ObjectKey }],
      }],
    });
  }
}
