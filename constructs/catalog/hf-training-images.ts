/**
 * The Hugging Face PyTorch training Deep Learning Container (GPU) for SageMaker training jobs.
 *
 * Source: the SageMaker Python SDK's image table `huggingface.json`, `training` scope
 * (aws/sagemaker-python-sdk master a24812666d258d9d19c9a82d0c9385ca0bd3ba01, 2026-08-21,
 * sagemaker-core/src/sagemaker/core/image_uri_config/huggingface.json), and its tag rule
 * (sagemaker-core/src/sagemaker/core/image_uris.py: `<pytorch>-transformers<transformers>` then
 * `-gpu-<py>-<container_version>`).
 */
import { ecrDomainSuffix, GPU_REGISTRIES } from './images';

/**
 * The regions of every transformers version from 4.46.1 to 5.3.0 in the table (the versions below
 * share them exactly; 31 regions). Their registry accounts are the Deep Learning Containers accounts
 * the LMI table maps too (checked equal for all 31 when this list was written), so they are read
 * from images.ts instead of typed twice.
 */
const REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-iso-east-1',
  'us-isob-east-1',
  'us-west-1',
  'us-west-2',
];

const REGISTRIES: { readonly [region: string]: string } = Object.fromEntries(REGIONS.map((region) => {
  const account = GPU_REGISTRIES[region];
  if (account === undefined) throw new Error(`hf-training-images: no registry account for ${region} in the LMI table`);
  return [region, account];
}));

/**
 * One Hugging Face PyTorch training image (GPU): transformers, PyTorch, Python and CUDA versions.
 * The presets are the SDK table's recent versions; {@link HuggingFaceTrainingImage.of} names
 * another tag of the same repository.
 */
export class HuggingFaceTrainingImage {
  /** The ECR repository of the images. */
  public static readonly REPOSITORY = 'huggingface-pytorch-training';

  /**
   * transformers 4.56.2, PyTorch 2.8.0, Python 3.12, CUDA 12.9. Its Dockerfile
   * (aws/deep-learning-containers huggingface/pytorch/training/docker/2.8/py3/cu129/Dockerfile.gpu)
   * installs TRL 0.23.0, PEFT 0.17.1, accelerate 1.10.1, datasets 4.1.0 and bitsandbytes, so the job
   * installs nothing at run time.
   */
  public static readonly TRANSFORMERS_4_56_PYTORCH_2_8 = new HuggingFaceTrainingImage('4.56.2', '2.8.0', 'py312', 'cu129-ubuntu22.04');
  /**
   * transformers 5.3.0, PyTorch 2.9.0, Python 3.12, CUDA 13.0. transformers 5 changes APIs; the
   * training script is written against 4.56 and not run on this image.
   */
  public static readonly TRANSFORMERS_5_3_PYTORCH_2_9 = new HuggingFaceTrainingImage('5.3.0', '2.9.0', 'py312', 'cu130-ubuntu22.04');
  /** transformers 4.55.0, PyTorch 2.7.1, Python 3.12, CUDA 12.8 (its library set not re-checked here). */
  public static readonly TRANSFORMERS_4_55_PYTORCH_2_7 = new HuggingFaceTrainingImage('4.55.0', '2.7.1', 'py312', 'cu128-ubuntu22.04');
  /** The image LoraFineTuning uses unless told otherwise. */
  public static readonly DEFAULT = HuggingFaceTrainingImage.TRANSFORMERS_4_56_PYTORCH_2_8;

  /**
   * Escape hatch: another tag of the repository, in the regions of the table above.
   * @param transformersVersion for example `4.49.0`
   * @param pytorchVersion for example `2.5.1`
   * @param pythonVersion for example `py311`
   * @param containerVersion the CUDA and OS part, for example `cu124-ubuntu22.04`
   */
  public static of(transformersVersion: string, pytorchVersion: string, pythonVersion: string, containerVersion: string): HuggingFaceTrainingImage {
    // The shapes of the table's tags (`<pytorch>-transformers<transformers>-gpu-<py>-<container>`).
    const parts: Array<[string, unknown, RegExp, string]> = [
      ['transformersVersion', transformersVersion, /^\d+\.\d+\.\d+$/, 'a release such as 4.56.2'],
      ['pytorchVersion', pytorchVersion, /^\d+\.\d+\.\d+$/, 'a release such as 2.8.0'],
      ['pythonVersion', pythonVersion, /^py3\d+$/, 'such as py312'],
      ['containerVersion', containerVersion, /^cu\d+-ubuntu\d+\.\d+$/, 'such as cu129-ubuntu22.04'],
    ];
    const problems = parts.filter(([, value, shape]) => typeof value !== 'string' || !shape.test(value))
      .map(([name, value, , allowed]) => `${name}: ${typeof value === 'string' ? `'${value}'` : String(value)} is not ${allowed}`);
    if (problems.length > 0) throw new Error(`HuggingFaceTrainingImage.of: ${problems.join('; ')}`);
    return new HuggingFaceTrainingImage(transformersVersion, pytorchVersion, pythonVersion, containerVersion);
  }

  /** The presets, newest first. */
  public static presets(): HuggingFaceTrainingImage[] {
    return [HuggingFaceTrainingImage.TRANSFORMERS_5_3_PYTORCH_2_9, HuggingFaceTrainingImage.TRANSFORMERS_4_56_PYTORCH_2_8, HuggingFaceTrainingImage.TRANSFORMERS_4_55_PYTORCH_2_7];
  }

  /** Every region with the images, sorted. */
  public static regions(): string[] {
    return Object.keys(REGISTRIES).sort();
  }

  /** The registry account of `region`, or undefined where the region has no image. */
  public static registryAccount(region: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(REGISTRIES, region) ? REGISTRIES[region] : undefined;
  }

  /** Region -> registry account, a copy. */
  public static registries(): { [region: string]: string } {
    return { ...REGISTRIES };
  }

  /** The image tag, for example `2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04`. */
  public readonly tag: string;

  private constructor(
    public readonly transformersVersion: string,
    public readonly pytorchVersion: string,
    public readonly pythonVersion: string,
    public readonly containerVersion: string,
  ) {
    this.tag = `${pytorchVersion}-transformers${transformersVersion}-gpu-${pythonVersion}-${containerVersion}`;
  }

  /**
   * The image URI in `region` with the partition's ECR domain (as for the LMI images), or undefined
   * where the region has no image.
   */
  public uri(region: string): string | undefined {
    const account = HuggingFaceTrainingImage.registryAccount(region);
    return account === undefined ? undefined : `${account}.dkr.ecr.${region}.${ecrDomainSuffix(region)}/${HuggingFaceTrainingImage.REPOSITORY}:${this.tag}`;
  }
}
