import { ArnFormat, Aws, type IResource, RemovalPolicy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kendra from 'aws-cdk-lib/aws-kendra';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { retainedBucket } from '../private/retained-bucket';
import { KENDRA_INDEX_ID_PATTERN } from '../catalog/limits';
import { nagResourceFinding } from '../private/nag';
import { PropErrors } from '../private/validation';
import type { IRagRetriever, RagRetrieverBinding } from './retriever';

/**
 * An Amazon Kendra index: one this stack creates (`new KendraIndex(...)`) or an existing one
 * (`KendraIndex.fromIndexId`, `KendraIndex.fromIndexArn`). It is also a retriever of the RAG API.
 */
export interface IKendraIndex extends IResource, IRagRetriever {
  /**
   * The index ID.
   * @attribute
   */
  readonly indexId: string;
  /**
   * The index ARN, `arn:<partition>:kendra:<region>:<account>:index/<index id>`.
   * @attribute
   */
  readonly indexArn: string;
  /** Permits `grantee` to query the index (`kendra:Query` and `kendra:Retrieve`). */
  grantQuery(grantee: iam.IGrantable): iam.Grant;
}

/** What a new and an imported Kendra index share: the query grant and the RAG binding. */
abstract class KendraIndexBase extends Resource implements IKendraIndex {
  public abstract readonly indexId: string;
  public abstract readonly indexArn: string;

  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['kendra:Query', 'kendra:Retrieve'], resourceArns: [this.indexArn] });
  }

  /** Grants `grantee` the query rights; the RAG handler reads the index ID from `KENDRA_INDEX_ID`. */
  public bind(grantee: iam.IGrantable): RagRetrieverBinding {
    this.grantQuery(grantee);
    return { environment: { KENDRA_INDEX_ID: this.indexId } };
  }
}

/** `arn:<partition>:kendra:<region>:<account>:index/<id>` in the stack's environment (Service Authorization Reference, Amazon Kendra: the index resource type). */
function kendraIndexArn(scope: Construct, indexId: string): string {
  return Stack.of(scope).formatArn({ service: 'kendra', resource: 'index', resourceName: indexId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

function checkIndexId(what: string, indexId: string): void {
  if (typeof indexId !== 'string') throw new Error(`KendraIndex.${what}: index id must be a string, got ${typeof indexId}`);
  if (!Token.isUnresolved(indexId) && !KENDRA_INDEX_ID_PATTERN.test(indexId)) {
    throw new Error(`KendraIndex.${what}: index id '${indexId}' is not a Kendra index ID (36 characters, letters, digits and hyphens)`);
  }
}

/** Index field of the S3 connector's document IDs. */
const DOCUMENT_ID_FIELD = 's3_document_id';


/**
 * The edition of a Kendra index, fixed at creation (Kendra API reference, CreateIndex `Edition`).
 * Access control differs by edition (Kendra guide, "Index types"; the GenAI edition takes no user
 * token): check that page before relying on user-context filtering.
 */
export enum KendraEdition {
  /** Development, testing or proof of concept. */
  DEVELOPER = 'DEVELOPER_EDITION',
  /** Production. */
  ENTERPRISE = 'ENTERPRISE_EDITION',
  /** Production, tuned for Retrieve (RAG). */
  GEN_AI_ENTERPRISE = 'GEN_AI_ENTERPRISE_EDITION',
}

/** Properties of a {@link KendraIndex}. */
export interface KendraIndexProps {
  /** The index edition. @default KendraEdition.DEVELOPER */
  readonly edition?: KendraEdition;
  /** Bucket of the documents to index. @default a new retained, KMS-encrypted, versioned bucket */
  readonly documentsBucket?: s3.IBucket;
  /**
   * Re-sync schedule of the S3 data source: a cron expression in Kendra's format,
   * `cron(minutes hours day-of-month month day-of-week year)`, or `''` to sync only on demand
   * (StartDataSourceSyncJob).
   * @default daily at 03:00 UTC, 'cron(0 3 * * ? *)'
   */
  readonly syncSchedule?: string;
  /**
   * What happens to the index when it leaves the stack (stack deletion, or a switch to an imported
   * index). Its key and documents bucket are always retained.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DEFAULT_SCHEDULE = 'cron(0 3 * * ? *)';
const EDITIONS: readonly string[] = Object.values(KendraEdition);
const REMOVAL_POLICIES: readonly string[] = Object.values(RemovalPolicy);

/**
 * Kendra's data source Schedule is "a cron-format schedule string or an empty string" for on-demand
 * syncs (Kendra API reference, CreateDataSource `Schedule`). Known limitation: that page does not
 * spell the grammar out; the check assumes the six-field `cron(...)` of EventBridge schedules (one of
 * day-of-month and day-of-week a '?') that the Kendra console writes, not verified against a Kendra page.
 */
function scheduleProblem(schedule: string): string | undefined {
  if (schedule === '') return undefined;
  const m = /^cron\((.*)\)$/.exec(schedule);
  if (!m) return 'must be a cron(...) expression or \'\' (on demand)';
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) return `must have 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  if (fields.some((f) => !/^[0-9A-Za-z*?,\-/#L]+$/.test(f))) return 'has a field with characters cron does not take';
  if ((fields[2] === '?') === (fields[4] === '?')) return 'must have \'?\' in exactly one of day-of-month (3rd field) and day-of-week (5th field)';
  // Numeric ranges of the EventBridge cron fields (EventBridge user guide, "Cron expressions").
  const ranges: Array<[string, number, number]> = [['minutes', 0, 59], ['hours', 0, 23], ['day-of-month', 1, 31], ['month', 1, 12], ['day-of-week', 1, 7], ['year', 1970, 2199]];
  for (const [i, [name, min, max]] of ranges.entries()) {
    // Values only: a step (`0/15`) and the nth weekday (`MON#2`) are not values of the field.
    const out = (fields[i].replace(/[/#]\d+/g, '').match(/\d+/g) ?? []).map(Number).find((n) => n < min || n > max);
    if (out !== undefined) return `has ${name} ${out}, outside ${min}-${max}`;
  }
  return undefined;
}

function validateIndexProps(props: KendraIndexProps): string {
  if (typeof props !== 'object' || props === null) throw new Error('KendraIndex: props must be an object');
  const errors = new PropErrors('KendraIndex');
  const { edition, syncSchedule, documentsBucket, removalPolicy } = props as Record<string, unknown>;
  if (edition !== undefined && (typeof edition !== 'string' || !EDITIONS.includes(edition))) {
    errors.addMessage(`edition: '${String(edition)}' is not a Kendra edition; use KendraEdition.DEVELOPER, ENTERPRISE or GEN_AI_ENTERPRISE (${EDITIONS.join(', ')})`);
  }
  const schedule = syncSchedule ?? DEFAULT_SCHEDULE;
  if (typeof schedule !== 'string') {
    errors.addMessage(`syncSchedule: must be a string such as 'cron(0 3 * * ? *)', got ${typeof schedule}`);
  } else if (!Token.isUnresolved(schedule)) {
    const problem = scheduleProblem(schedule);
    if (problem) errors.addMessage(`syncSchedule: '${schedule}' ${problem}; for example 'cron(0 3 * * ? *)' (daily at 03:00 UTC)`);
  }
  if (documentsBucket !== undefined && (typeof documentsBucket !== 'object' || documentsBucket === null || typeof (documentsBucket as s3.IBucket).arnForObjects !== 'function')) {
    errors.addMessage(`documentsBucket: must be an s3.IBucket (a Bucket or Bucket.fromBucketName(...)), got ${typeof documentsBucket}`);
  }
  if (removalPolicy !== undefined && (typeof removalPolicy !== 'string' || !REMOVAL_POLICIES.includes(removalPolicy))) {
    errors.addMessage(`removalPolicy: '${String(removalPolicy)}' is not a RemovalPolicy; use RemovalPolicy.RETAIN, DESTROY, SNAPSHOT or RETAIN_ON_UPDATE_OR_DELETE`);
  }
  errors.throwIfAny();
  return schedule as string;
}

/**
 * A new Amazon Kendra index with an S3 data source over a documents bucket, synced on a schedule.
 * Only accounts that used Kendra before 2026-07-30 can create one.
 */
export class KendraIndex extends KendraIndexBase {
  /**
   * An existing index in this stack's account and region, by ID: the primary path, since Kendra
   * takes no new customers since 2026-07-30 (existing customers keep their indexes).
   * @param indexId the index ID (36 characters), for example from `aws kendra list-indices`
   */
  public static fromIndexId(scope: Construct, id: string, indexId: string): IKendraIndex {
    checkIndexId('fromIndexId', indexId);
    class Import extends KendraIndexBase {
      public readonly indexId = indexId;
      public readonly indexArn = kendraIndexArn(this, indexId);
    }
    return new Import(scope, id);
  }

  /** An existing index, by ARN (`arn:aws:kendra:<region>:<account>:index/<index id>`). */
  public static fromIndexArn(scope: Construct, id: string, indexArn: string): IKendraIndex {
    if (typeof indexArn !== 'string') throw new Error(`KendraIndex.fromIndexArn: index ARN must be a string, got ${typeof indexArn}`);
    const parts = Stack.of(scope).splitArn(indexArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (!Token.isUnresolved(indexArn) && (parts.service !== 'kendra' || parts.resource !== 'index' || !parts.resourceName)) {
      throw new Error(`KendraIndex.fromIndexArn: '${indexArn}' is not a Kendra index ARN such as arn:aws:kendra:us-east-1:123456789012:index/0123abcd-4567-89ef-0123-456789abcdef`);
    }
    const indexId = parts.resourceName!;
    checkIndexId('fromIndexArn', indexId);
    class Import extends KendraIndexBase {
      public readonly indexId = indexId;
      public readonly indexArn = indexArn;
    }
    return new Import(scope, id, { environmentFromArn: indexArn });
  }

  /** The index (L1), for properties this construct does not expose. */
  public readonly index: kendra.CfnIndex;
  /** The S3 data source (L1) that syncs the documents bucket into the index. */
  public readonly dataSource: kendra.CfnDataSource;
  public readonly indexId: string;
  public readonly indexArn: string;
  public readonly documentsBucket: s3.IBucket;
  /** The key of the index and of a new documents bucket. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: KendraIndexProps = {}) {
    super(scope, id);
    const schedule = validateIndexProps(props);
    const stack = Stack.of(this);
    const encryptionKey = new kms.Key(this, 'Key', {
      description: 'Kendra index and its documents',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.encryptionKey = encryptionKey;

    // Trust only Kendra acting for this account (Kendra guide, IAM roles: confused-deputy prevention).
    const kendraPrincipal = () => new iam.ServicePrincipal('kendra.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } });
    const indexRole = new iam.Role(this, 'IndexRole', { assumedBy: kendraPrincipal() });
    // The index role's permissions (Kendra developer guide, "IAM roles for indexes").
    indexRole.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'AWS/Kendra' } },
    }));
    indexRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    indexRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: [this.logGroupsArn()] }));
    indexRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:DescribeLogStreams', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${this.logGroupsArn()}:log-stream:*`],
    }));
    indexRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.encryptionKey.keyArn] }));

    this.index = new kendra.CfnIndex(this, 'Resource', {
      name: `${stack.stackName}-rag`.slice(0, 1000),
      edition: props.edition ?? KendraEdition.DEVELOPER,
      roleArn: indexRole.roleArn,
      serverSideEncryptionConfiguration: { kmsKeyId: this.encryptionKey.keyId },
      // The field the S3 connector maps each document's ID onto.
      documentMetadataConfigurations: [{
        name: DOCUMENT_ID_FIELD,
        type: 'STRING_VALUE',
        search: { displayable: true, facetable: false, searchable: false, sortable: false },
      }],
    });
    this.index.node.addDependency(indexRole);
    // Without a DeletionPolicy, replacing the index with an imported one or deleting the stack
    // deletes the index (and its documents' metadata) while its key and buckets are retained.
    this.index.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.indexId = this.index.attrId;
    this.indexArn = kendraIndexArn(this, this.indexId);

    if (props.documentsBucket) {
      this.documentsBucket = props.documentsBucket;
    } else {
      this.documentsBucket = retainedBucket(this, 'Documents', encryptionKey, 'documents/');
    }

    const sourceRole = new iam.Role(this, 'DataSourceRole', { assumedBy: kendraPrincipal() });
    // The S3 connector lists the bucket and reads its objects (Kendra developer guide, "IAM roles for Amazon S3 data sources").
    sourceRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.documentsBucket.bucketArn] }));
    sourceRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.documentsBucket.arnForObjects('*')] }));
    const documentsKey = this.documentsBucket.encryptionKey;
    if (documentsKey) sourceRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [documentsKey.keyArn] }));
    sourceRole.addToPolicy(new iam.PolicyStatement({
      actions: ['kendra:BatchPutDocument', 'kendra:BatchDeleteDocument'],
      resources: [this.indexArn],
    }));
    // Template connectors also maintain the index's principal mappings (Kendra guide, IAM roles for data sources).
    const dataSourcesArn = `${this.indexArn}/data-source/*`;
    sourceRole.addToPolicy(new iam.PolicyStatement({
      actions: ['kendra:PutPrincipalMapping', 'kendra:DeletePrincipalMapping', 'kendra:ListGroupsOlderThanOrderingId', 'kendra:DescribePrincipalMapping'],
      resources: [this.indexArn, dataSourcesArn],
    }));
    // The upgraded S3 connector: a TEMPLATE data source (S3Configuration is deprecated and Kendra
    // ended the old connector architecture in June 2024). Keys of Kendra's "Amazon S3 template
    // schema" (developer guide, ds-schemas): the bucket as the repository endpoint, a full re-crawl
    // on each scheduled sync, and the document-ID field mapping onto the index field declared above.
    const dataSource = this.dataSource = new kendra.CfnDataSource(this, 'DataSource', {
      indexId: this.indexId,
      name: 'documents',
      type: 'TEMPLATE',
      roleArn: sourceRole.roleArn,
      schedule: schedule === '' ? undefined : schedule,
    });
    // The resource schema types Template as a JSON object while the L1 types it as a string, so the
    // object goes in as an override (a string would fail at deploy).
    dataSource.addPropertyOverride('DataSourceConfiguration.TemplateConfiguration.Template', {
      type: 'S3',
      version: '1.0.0',
      syncMode: 'FORCED_FULL_CRAWL',
      connectionConfiguration: { repositoryEndpointMetadata: { BucketName: this.documentsBucket.bucketName } },
      repositoryConfigurations: {
        document: { fieldMappings: [{ dataSourceFieldName: 's3_document_id', indexFieldName: DOCUMENT_ID_FIELD, indexFieldType: 'STRING' }] },
      },
      additionalProperties: { maxFileSizeInMegaBytes: '50' },
    });
    dataSource.node.addDependency(sourceRole);

    Validations.of(sourceRole).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, this.documentsBucket.arnForObjects('*'))}]`,
      reason: 'The S3 connector indexes every document of the documents bucket.',
    });
    Validations.of(indexRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudwatch:PutMetricData (limited to the AWS/Kendra namespace by condition) and logs:DescribeLogGroups (a list call) support no resource ARNs.',
    });
    Validations.of(indexRole).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, this.logGroupsArn())}]`,
      reason: 'Kendra names its log groups /aws/kendra/<index id>, and the index ID is known only after the role exists.',
    });
    Validations.of(indexRole).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, `${this.logGroupsArn()}:log-stream:*`)}]`,
      reason: 'Kendra creates its own log streams in its log groups.',
    });
    Validations.of(sourceRole).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, dataSourcesArn)}]`,
      reason: 'The connector maintains principal mappings of its own data source, whose ID is known only after the role exists.',
    });
    for (const r of [indexRole, sourceRole]) {
      Validations.of(r).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'A service role of this index alone: its grants are scoped to this index\'s logs, documents and data source and live and die with the role; a managed policy would be reusable by other principals.',
      });
    }
  }

  /** Kendra's log groups, /aws/kendra/*. */
  private logGroupsArn(): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/kendra/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }
}
