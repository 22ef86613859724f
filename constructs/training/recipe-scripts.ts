import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { ClusterCustomAction, ClusterS3Access } from './parallel-cluster';

/** Where the training recipes mount their FSx for Lustre file system on every node. */
export const FSX_MOUNT_DIR = '/fsx';

/** Folder of the job scripts shipped with the package. */
export const SCRIPTS_DIR = path.join(__dirname, 'scripts');

/** Properties of {@link RecipeScripts}. */
export interface RecipeScriptsProps {
  /** Sub-folder of `scripts/` with the recipe's job scripts, for example `fsdp`. */
  readonly recipe: string;
  /** Where the scripts land on the shared file system. */
  readonly targetDir: string;
  /** Login user who owns them (`ubuntu` on the Ubuntu AMIs). */
  readonly owner: string;
  /** Values written to `recipe.env` beside the scripts; keys `^[A-Z][A-Z0-9_]*$`. */
  readonly environment: Record<string, string>;
}

/**
 * A recipe's job scripts as S3 assets, and the head-node action that installs them: the scripts
 * stay static (and checked by shellcheck), the values the stack decides reach them as `recipe.env`.
 */
export class RecipeScripts extends Construct {
  public readonly scripts: s3assets.Asset;
  public readonly installer: s3assets.Asset;
  /** The head node's OnNodeConfigured action. */
  public readonly onNodeConfigured: ClusterCustomAction;
  /** Read access the head node needs: the two asset objects only. */
  public readonly s3Access: ClusterS3Access[];

  constructor(scope: Construct, id: string, props: RecipeScriptsProps) {
    super(scope, id);
    const bad = Object.keys(props.environment).filter((k) => !/^[A-Z][A-Z0-9_]*$/.test(k));
    if (bad.length > 0) throw new Error(`RecipeScripts: environment keys ${bad.join(', ')} must match ^[A-Z][A-Z0-9_]*$`);
    this.scripts = new s3assets.Asset(this, 'Scripts', { path: path.join(SCRIPTS_DIR, props.recipe) });
    this.installer = new s3assets.Asset(this, 'Installer', { path: path.join(SCRIPTS_DIR, 'common', 'install-recipe.sh') });
    this.onNodeConfigured = {
      script: this.installer.s3ObjectUrl,
      args: [
        this.scripts.s3ObjectUrl, props.targetDir, props.owner,
        ...Object.entries(props.environment).map(([k, v]) => `${k}=${v}`),
      ],
    };
    // Only the two objects, not the whole CDK assets bucket (ParallelCluster S3Access KeyName).
    this.s3Access = [this.scripts, this.installer].map((asset) => ({ bucket: asset.bucket, keyName: asset.s3ObjectKey }));
  }
}

/** Problems with a recipe's `dataRepositoryDir`: it must be a directory under the /fsx mount. */
export function checkDataRepositoryDir(dir: string | undefined): string[] {
  if (dir === undefined || Token.isUnresolved(dir) || (dir.startsWith(`${FSX_MOUNT_DIR}/`) && /^(\/[A-Za-z0-9_.-]+)+$/.test(dir))) return [];
  return [`dataRepositoryDir: '${dir}' must be a directory under the ${FSX_MOUNT_DIR} mount, such as ${FSX_MOUNT_DIR}/s3`];
}
