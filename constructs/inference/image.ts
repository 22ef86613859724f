import { Aws, CfnMapping, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  imageAccount, imageRegions, imageUri, LMI_IMAGES, LMI_REPOSITORY, LmiBackend, supportedImageTags,
} from '../catalog';

/** What an {@link LmiImage} gives the model, from {@link LmiImage.bind}. */
export interface LmiImageConfig {
  /** The image URI (with tokens where the region or repository resolves at deploy time). */
  readonly imageUri: string;
}

/** Options of {@link LmiImage.fromEcrRepository}. */
export interface LmiEcrImageOptions {
  /**
   * The backend the image serves; LmiEndpoint refuses it on an instance of the other backend.
   * @default not checked
   */
  readonly backend?: LmiBackend;
  /**
   * DJL Serving version of the image, for example `0.35.0`, so that options removed in later
   * containers (RollingBatch.LMI_DIST) are refused at synth.
   * @default not checked
   */
  readonly containerVersion?: string;
}

/**
 * The LMI (DJL Serving) container image an {@link LmiEndpoint} runs: a catalog tag from AWS's
 * Deep Learning Containers registries, or your own ECR repository (a private mirror).
 */
export abstract class LmiImage {
  /**
   * A catalog tag of AWS's `djl-inference` repository, for the backend. The region's registry
   * account comes from the catalog: a literal region without the tag is a synth error, an
   * environment-agnostic stack gets a region mapping and a CloudFormation rule.
   * @param tag one of `supportedImageTags(backend)` (default: the catalog's default tag)
   */
  public static fromCatalog(backend: LmiBackend, tag?: string): LmiImage {
    return CatalogImage.of(backend, tag ?? LMI_IMAGES[backend].defaultTag);
  }

  /**
   * An image in your own ECR repository, for example a mirror of the LMI image. The execution role
   * gets pull on that repository.
   * @param tag the image tag (default: `latest`)
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag?: string, options: LmiEcrImageOptions = {}): LmiImage {
    return new EcrImage(repository, tag ?? 'latest', options);
  }

  /** The backend the image serves, where known. */
  public abstract readonly backend?: LmiBackend;
  /** The DJL Serving version, where known. */
  public abstract readonly containerVersion?: string;

  /**
   * Problems with the image, each naming the prop (`image: ...`), reported with LmiEndpoint's
   * other prop errors. Empty when it is usable.
   */
  public abstract validate(): string[];

  /** Grants `grantee` pull on the image and returns its URI. */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): LmiImageConfig;
}

/** What a catalog image is in one stack: its URI and the repository the role pulls from. */
interface RenderedImage {
  readonly uri: string;
  readonly repositoryArn: string;
}

class CatalogImage extends LmiImage {
  /** One immutable instance per backend and tag, so that endpoints on the default image share it. */
  private static readonly instances = new Map<string, CatalogImage>();

  public static of(backend: LmiBackend, tag: string): CatalogImage {
    const key = `${String(backend)}:${tag}`;
    let image = CatalogImage.instances.get(key);
    if (!image) CatalogImage.instances.set(key, image = new CatalogImage(backend, tag));
    return image;
  }

  public readonly containerVersion?: string;
  /** This image in each stack it was bound in: an extra endpoint of a stack reuses it. */
  private readonly rendered = new WeakMap<Stack, RenderedImage>();

  private constructor(public readonly backend: LmiBackend, private readonly tag: string) {
    super();
    this.containerVersion = LMI_IMAGES[backend]?.tags[tag]?.containerVersion;
  }

  public validate(): string[] {
    if (!LMI_IMAGES[this.backend]) return [`image: backend '${String(this.backend)}' is not one of ${Object.values(LmiBackend).join(', ')}`];
    if (this.containerVersion === undefined) {
      return [`image: '${this.tag}' is not a supported ${this.backend} LMI tag; supported: ${supportedImageTags(this.backend).join(', ')}`];
    }
    return [];
  }

  public bind(scope: Construct, grantee: iam.IGrantable): LmiImageConfig {
    const stack = Stack.of(scope);
    let rendered = this.rendered.get(stack);
    if (!rendered) {
      rendered = this.render(scope, stack);
      this.rendered.set(stack, rendered);
    }
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PullLmiImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      resources: [rendered.repositoryArn],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'EcrLogin',
      // GetAuthorizationToken supports no resource-level permissions (ECR IAM reference).
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    return { imageUri: rendered.uri };
  }

  /** The image URI and repository ARN in `stack`: literal for a concrete region, mapped by region otherwise. */
  private render(scope: Construct, stack: Stack): RenderedImage {
    const backend = this.backend;
    if (!Token.isUnresolved(stack.region)) {
      const uri = imageUri(backend, this.tag, stack.region);
      if (!uri) {
        throw new Error(`LmiEndpoint ${scope.node.path}: the ${backend} LMI image ${this.tag} is not published in ${stack.region}; regions with it: ${imageRegions(backend, this.tag).join(', ')}`);
      }
      return { uri, repositoryArn: repositoryArn(stack, imageAccount(backend, this.tag, stack.region)!) };
    }
    const regions = imageRegions(backend, this.tag);
    // One mapping per backend and one rule per image tag in each stack, shared by its endpoints: the
    // mapping of every region is a few KiB of template, which a copy per endpoint repeated.
    const backendId = backend === LmiBackend.GPU ? 'Gpu' : 'Neuron';
    const mappingId = `LmiImageAccounts${backendId}`;
    const mapping = stackSingleton(stack, mappingId, CfnMapping, () => new CfnMapping(stack, mappingId, {
      mapping: Object.fromEntries(Object.entries(LMI_IMAGES[backend].registries).map(([region, registry]) => [region, { account: registry }])),
    }));
    const ruleId = `LmiImageRegions${backendId}${this.tag.replace(/[^A-Za-z0-9]/g, '')}`;
    stackSingleton(stack, ruleId, CfnRule, () => new CfnRule(stack, ruleId, {
      assertions: [{
        assert: Fn.conditionContains(regions, Aws.REGION),
        assertDescription: `The ${backend} LMI image ${this.tag} (${LMI_REPOSITORY}) is published only in: ${regions.join(', ')}. Deploy this stack to one of them.`,
      }],
    }));
    const account = mapping.findInMap(Aws.REGION, 'account');
    return { uri: `${account}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${LMI_REPOSITORY}:${this.tag}`, repositoryArn: repositoryArn(stack, account) };
  }
}

/** The ARN of the LMI repository in the registry `account`, in the stack's region. */
function repositoryArn(stack: Stack, account: string): string {
  return stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: LMI_REPOSITORY });
}

class EcrImage extends LmiImage {
  public readonly backend?: LmiBackend;
  public readonly containerVersion?: string;

  constructor(private readonly repository: ecr.IRepository, private readonly tag: string, options: LmiEcrImageOptions) {
    super();
    this.backend = options.backend;
    this.containerVersion = options.containerVersion;
  }

  public validate(): string[] {
    if (this.containerVersion !== undefined && !/^\d+(\.\d+)*$/.test(this.containerVersion)) {
      return [`image: containerVersion '${this.containerVersion}' must be a dotted version such as 0.35.0`];
    }
    return [];
  }

  public bind(_scope: Construct, grantee: iam.IGrantable): LmiImageConfig {
    // Pull on this repository, and ecr:GetAuthorizationToken, which takes no resource (ECR IAM reference).
    this.repository.grantPull(grantee);
    return { imageUri: this.repository.repositoryUriForTag(this.tag) };
  }
}

/** A construct the stack holds once for all its endpoints, created on first use. */
function stackSingleton<T extends Construct>(stack: Stack, id: string, type: abstract new (...args: never[]) => T, create: () => T): T {
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) throw new Error(`LmiEndpoint: the stack ${stack.node.path} already has a child '${id}' that is not a ${type.name}; LmiEndpoint reserves that ID`);
  return existing;
}
