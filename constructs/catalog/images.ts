/**
 * LMI (DJL Serving) container images for SageMaker hosting: which regions host them, under which
 * registry account, and which tags this library supports per backend.
 *
 * Source: the SageMaker Python SDK's image tables `djl-lmi.json` and `djl-neuronx.json`
 * (aws/sagemaker-python-sdk master a24812666d258d9d19c9a82d0c9385ca0bd3ba01, 2026-08-21,
 * sagemaker-core/src/sagemaker/core/image_uri_config/). Both tables use the repository
 * `djl-inference` and the tag verbatim as `tag_prefix`.
 */
import { LmiBackend } from './backend';

/** ECR repository that both LMI image families live in. */
export const LMI_REPOSITORY = 'djl-inference';

/** One supported image tag. */
export interface LmiImageTag {
  /** DJL Serving version the tag belongs to. */
  readonly containerVersion: string;
  /** Regions of the family's registry table that lack this tag. */
  readonly missingRegions?: readonly string[];
}

/** One image family (GPU `djl-lmi` or Inferentia2/Trainium `djl-neuronx`). */
export interface LmiImageFamily {
  readonly backend: LmiBackend;
  /** Region -> registry account id. */
  readonly registries: Readonly<Record<string, string>>;
  /** Supported tags, newest first. */
  readonly tags: Readonly<Record<string, LmiImageTag>>;
  /** The tag LmiEndpoint uses unless told otherwise. */
  readonly defaultTag: string;
}

/**
 * ap-east-2 is left out of both families although `djl-lmi.json` maps it to 975050140332: the SDK's
 * own test (tests/unit/image_uris/test_djl.py) lists it as missing from ECR for every tag, so a
 * stack there must fail at synth rather than at image pull.
 */
export const GPU_REGISTRIES: Record<string, string> = {
    'af-south-1': '626614931356',
    'ap-east-1': '871362719292',
    'ap-northeast-1': '763104351884',
    'ap-northeast-2': '763104351884',
    'ap-northeast-3': '364406365360',
    'ap-south-1': '763104351884',
    'ap-south-2': '772153158452',
    'ap-southeast-1': '763104351884',
    'ap-southeast-2': '763104351884',
    'ap-southeast-3': '907027046896',
    'ap-southeast-4': '457447274322',
    'ap-southeast-5': '550225433462',
    'ap-southeast-6': '633930458069',
    'ap-southeast-7': '590183813437',
    'ca-central-1': '763104351884',
    'ca-west-1': '204538143572',
    'cn-north-1': '727897471807',
    'cn-northwest-1': '727897471807',
    'eu-central-1': '763104351884',
    'eu-central-2': '380420809688',
    'eu-isoe-west-1': '371248457586',
    'eu-north-1': '763104351884',
    'eu-south-1': '692866216735',
    'eu-south-2': '503227376785',
    'eu-west-1': '763104351884',
    'eu-west-2': '763104351884',
    'eu-west-3': '763104351884',
    'eusc-de-east-1': '204133271717',
    'il-central-1': '780543022126',
    'me-central-1': '914824155844',
    'me-south-1': '217643126080',
    'mx-central-1': '637423239942',
    'sa-east-1': '763104351884',
    'us-east-1': '763104351884',
    'us-east-2': '763104351884',
    'us-gov-east-1': '446045086412',
    'us-gov-west-1': '442386744353',
    'us-iso-east-1': '886529160074',
    'us-isob-east-1': '094389454867',
    'us-isof-east-1': '303241398832',
    'us-isof-south-1': '454834333376',
    'us-west-1': '763104351884',
    'us-west-2': '763104351884',
};

const NEURON_REGISTRIES: Record<string, string> = {
    'ap-northeast-1': '763104351884',
    'ap-south-1': '763104351884',
    'ap-south-2': '772153158452',
    'ap-southeast-1': '763104351884',
    'ap-southeast-2': '763104351884',
    'ap-southeast-4': '457447274322',
    'ap-southeast-5': '550225433462',
    'ap-southeast-7': '590183813437',
    'ca-west-1': '204538143572',
    'cn-north-1': '727897471807',
    'cn-northwest-1': '727897471807',
    'eu-central-1': '763104351884',
    'eu-central-2': '380420809688',
    'eu-isoe-west-1': '371248457586',
    'eu-north-1': '763104351884',
    'eu-south-2': '503227376785',
    'eu-west-1': '763104351884',
    'eu-west-2': '763104351884',
    'eu-west-3': '763104351884',
    'il-central-1': '780543022126',
    'mx-central-1': '637423239942',
    'sa-east-1': '763104351884',
    'us-east-1': '763104351884',
    'us-east-2': '763104351884',
    'us-gov-east-1': '446045086412',
    'us-gov-west-1': '442386744353',
    'us-iso-east-1': '886529160074',
    'us-isob-east-1': '094389454867',
    'us-isof-east-1': '303241398832',
    'us-isof-south-1': '454834333376',
    'us-west-2': '763104351884',
};

/**
 * The GPU default is 0.35.0 (LMI 17, vLLM 0.11.1, CUDA 12.8), not the newer 0.36.0: vLLM 0.11's
 * model registry maps FalconForCausalLM, and CUDA 12.8 builds include the A10G's sm_86, while
 * 0.36.0 ships a custom vLLM 0.23 build for which neither is documented.
 *
 * GPU tags from 0.29.0 (LMI 11, the first on CUDA 12.4 with vLLM as the rolling-batch engine); the
 * DeepSpeed and pre-0.29 images take other options.
 */
const GPU_TAGS: Record<string, LmiImageTag> = {
    '0.36.0-lmi27.0.0-cu130': { containerVersion: '0.36.0' },
    '0.35.0-lmi17.0.0-cu128': { containerVersion: '0.35.0' },
    '0.34.0-lmi16.0.0-cu128': { containerVersion: '0.34.0' },
    '0.33.0-lmi15.0.0-cu128': { containerVersion: '0.33.0' },
    '0.32.0-lmi14.0.0-cu126': { containerVersion: '0.32.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
    '0.31.0-lmi13.0.0-cu124': { containerVersion: '0.31.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
    '0.30.0-lmi12.0.0-cu124': { containerVersion: '0.30.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
    '0.29.0-lmi11.0.0-cu124': { containerVersion: '0.29.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
};

/**
 * Neuron tags from 0.27.0 (Neuron SDK 2.18, rolling batch on transformers-neuronx). 0.29.0 is the
 * last djl-neuronx image: djl-serving removed transformers-neuronx support in November 2025
 * (deepjavalibrary/djl-serving#2939) and the SDK lists no newer tag.
 */
const NEURON_TAGS: Record<string, LmiImageTag> = {
    '0.29.0-neuronx-sdk2.19.1': { containerVersion: '0.29.0' },
    '0.28.0-neuronx-sdk2.18.2': { containerVersion: '0.28.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
    '0.27.0-neuronx-sdk2.18.1': { containerVersion: '0.27.0', missingRegions: ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'] },
};

export const LMI_IMAGES: Readonly<Record<LmiBackend, LmiImageFamily>> = {
  [LmiBackend.GPU]: { backend: LmiBackend.GPU, registries: GPU_REGISTRIES, tags: GPU_TAGS, defaultTag: '0.35.0-lmi17.0.0-cu128' },
  [LmiBackend.NEURON]: { backend: LmiBackend.NEURON, registries: NEURON_REGISTRIES, tags: NEURON_TAGS, defaultTag: '0.29.0-neuronx-sdk2.19.1' },
};

/** Compares dotted versions such as `0.32.0` or `3.16.3`; negative when a is older. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The tags LmiEndpoint accepts for a backend, newest first. */
export function supportedImageTags(backend: LmiBackend): string[] {
  return Object.keys(LMI_IMAGES[backend].tags);
}

/** The catalog entry of `tag`; throws for an unsupported tag. */
function imageTag(backend: LmiBackend, tag: string): LmiImageTag {
  const entry = LMI_IMAGES[backend].tags[tag];
  if (!entry) {
    throw new Error(`Image tag '${tag}' is not a supported ${backend} LMI tag; supported: ${supportedImageTags(backend).join(', ')}`);
  }
  return entry;
}

/** Whether `region` has a registry of the backend's family and `entry`'s tag is published there. */
function hostsTag(backend: LmiBackend, entry: LmiImageTag, region: string): boolean {
  return Object.prototype.hasOwnProperty.call(LMI_IMAGES[backend].registries, region) && !entry.missingRegions?.includes(region);
}

/** The regions that host `tag` of the backend's family, sorted. Throws for an unsupported tag. */
export function imageRegions(backend: LmiBackend, tag: string): string[] {
  const entry = imageTag(backend, tag);
  return Object.keys(LMI_IMAGES[backend].registries).filter((r) => hostsTag(backend, entry, r)).sort();
}

/**
 * The registry account that serves `tag` in `region`, or undefined where the region does not host
 * that tag. Throws for an unsupported tag.
 */
export function imageAccount(backend: LmiBackend, tag: string, region: string): string | undefined {
  return hostsTag(backend, imageTag(backend, tag), region) ? LMI_IMAGES[backend].registries[region] : undefined;
}

/**
 * The DNS suffix of ECR in a region's partition, as the SageMaker Python SDK builds image hosts
 * (botocore's endpoint data and its ALTERNATE_DOMAINS): China, the ISO partitions, the European
 * Sovereign Cloud, and amazonaws.com everywhere else (GovCloud included).
 */
export function ecrDomainSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  if (region.startsWith('eu-isoe-')) return 'cloud.adc-e.uk';
  if (region.startsWith('eusc-')) return 'amazonaws.eu';
  return 'amazonaws.com';
}

/** The image URI of `tag` in `region`, or undefined where the region does not host it. */
export function imageUri(backend: LmiBackend, tag: string, region: string): string | undefined {
  const account = imageAccount(backend, tag, region);
  return account === undefined ? undefined : `${account}.dkr.ecr.${region}.${ecrDomainSuffix(region)}/${LMI_REPOSITORY}:${tag}`;
}
