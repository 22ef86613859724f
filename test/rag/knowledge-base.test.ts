import * as fs from 'fs';
import * as path from 'path';
import { CliCredentialsStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ChunkingStrategy, EmbeddingModel, VectorKnowledgeBase, VectorStoreType, type VectorKnowledgeBaseProps,
} from '../../constructs';
import { KnowledgeBaseFacts } from '../../constructs/catalog/knowledge-bases';
import { nagAcknowledgements, unusedNagAcknowledgements } from '../util/nag-audit';
import { acknowledgeFixture } from '../util/nag-fixtures';
import { templateOf, testStack, unitTestApp } from '../util/synth';

const TITAN_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, '::foundation-model/amazon.titan-embed-text-v2:0']] };

function resourceOf(template: Template, type: string): Record<string, unknown> {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as Record<string, unknown>;
}

function propsOf(template: Template, type: string): Record<string, unknown> {
  return resourceOf(template, type).Properties as Record<string, unknown>;
}

/** Every IAM statement of the knowledge base's service role (its default policy). */
function serviceRoleStatements(stack: Stack, kb: VectorKnowledgeBase): Array<Record<string, unknown>> {
  const doc = stack.resolve((kb.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy).policyDocument) as { Statement: Array<Record<string, unknown>> };
  return doc.Statement;
}

function build(props: VectorKnowledgeBaseProps, env?: { region?: string; account?: string }): () => VectorKnowledgeBase {
  const { stack } = testStack(env);
  return () => new VectorKnowledgeBase(stack, 'Kb', props);
}

describe('VectorKnowledgeBase defaults (S3 Vectors, Titan V2 1,024, fixed-size chunks)', () => {
  const { stack } = testStack();
  const kb = new VectorKnowledgeBase(stack, 'Kb');
  const template = templateOf(stack);

  test('a KMS-encrypted vector bucket and a float32 cosine index of the model\'s dimension, Bedrock\'s keys non-filterable', () => {
    const key = stack.resolve(kb.encryptionKey.keyArn);
    template.hasResourceProperties('AWS::S3Vectors::VectorBucket', { EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: key } });
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      DataType: 'float32', Dimension: 1024, DistanceMetric: 'cosine',
      EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: key },
      MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] },
    });
    expect(propsOf(template, 'AWS::S3Vectors::Index').IndexName).toBeUndefined();
  });

  test('the knowledge base: Titan V2 at 1,024 float32 dimensions over the S3 vector index', () => {
    template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
      RoleArn: stack.resolve(kb.role.roleArn),
      KnowledgeBaseConfiguration: {
        Type: 'VECTOR',
        VectorKnowledgeBaseConfiguration: {
          EmbeddingModelArn: TITAN_ARN,
          EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' } },
        },
      },
      StorageConfiguration: { Type: 'S3_VECTORS', S3VectorsConfiguration: { IndexArn: stack.resolve(kb.vectorIndex!.attrIndexArn) } },
    });
    expect(kb.collection).toBeUndefined();
    template.resourceCountIs('AWS::OpenSearchServerless::Collection', 0);
  });

  test('an S3 data source over a new retained, KMS, TLS-only bucket, fixed-size 300-token chunks with 20 % overlap, KMS for transient data', () => {
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      KnowledgeBaseId: stack.resolve(kb.knowledgeBaseId),
      DataSourceConfiguration: { Type: 'S3', S3Configuration: { BucketArn: stack.resolve(kb.documentsBucket.bucketArn) } },
      DataDeletionPolicy: 'RETAIN',
      ServerSideEncryptionConfiguration: { KmsKeyArn: stack.resolve(kb.encryptionKey.keyArn) },
      VectorIngestionConfiguration: { ChunkingConfiguration: { ChunkingStrategy: 'FIXED_SIZE', FixedSizeChunkingConfiguration: { MaxTokens: 300, OverlapPercentage: 20 } } },
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });

  test('stateful resources are retained by default', () => {
    for (const type of ['AWS::Bedrock::KnowledgeBase', 'AWS::Bedrock::DataSource', 'AWS::S3Vectors::VectorBucket', 'AWS::S3Vectors::Index', 'AWS::KMS::Key']) {
      expect(resourceOf(template, type).DeletionPolicy).toBe('Retain');
    }
  });

  test('the service role trusts Bedrock for this account\'s knowledge bases only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':knowledge-base/*']] } },
          },
        }],
      },
    });
  });

  test('the service role invokes only the embedding model, reads only the documents, reaches only its index', () => {
    const statements = serviceRoleStatements(stack, kb);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['InvokeEmbeddingModel', 'ListDocuments', 'ReadDocuments', 'ReadWriteVectors', 'UseKey']);
    expect(bySid.InvokeEmbeddingModel).toMatchObject({ Action: 'bedrock:InvokeModel', Resource: TITAN_ARN });
    expect(bySid.ListDocuments).toMatchObject({ Action: 's3:ListBucket', Resource: stack.resolve(kb.documentsBucket.bucketArn) });
    expect(bySid.ReadDocuments).toMatchObject({ Action: 's3:GetObject', Resource: stack.resolve(kb.documentsBucket.arnForObjects('*')) });
    expect(bySid.ReadWriteVectors).toMatchObject({
      Action: ['s3vectors:DeleteVectors', 's3vectors:GetIndex', 's3vectors:GetVectors', 's3vectors:PutVectors', 's3vectors:QueryVectors'],
      Resource: stack.resolve(kb.vectorIndex!.attrIndexArn),
    });
    expect(bySid.UseKey).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: stack.resolve(kb.encryptionKey.keyArn) });
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|aoss:/);
  });

  test('the key lets S3 Vectors\' indexing principal decrypt for this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'S3VectorsIndexing', Action: 'kms:Decrypt', Principal: { Service: 'indexing.s3vectors.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        })]),
      },
    });
  });

  test('EventBridge Scheduler calls StartIngestionJob directly, daily at 03:00 UTC, with a role limited to this knowledge base', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      KmsKeyArn: stack.resolve(kb.encryptionKey.keyArn),
      Target: Match.objectLike({
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:bedrockagent:startIngestionJob']] },
        Input: stack.resolve(stack.toJsonString({ KnowledgeBaseId: kb.knowledgeBaseId, DataSourceId: kb.dataSourceId })),
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(kb.node.findChild('IngestionScheduleRole').node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'bedrock:StartIngestionJob', Effect: 'Allow', Resource: stack.resolve(kb.knowledgeBaseArn) }]) },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('"Resource":"*"');
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('no sync on upload unless asked: no rule, state machine or bucket notifications', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(JSON.stringify(template.findResources('AWS::S3::Bucket'))).not.toContain('NotificationConfiguration');
    expect(kb.syncStateMachine).toBeUndefined();
  });

  test('an environment-agnostic stack gets a rule limiting deployment to the knowledge-base regions', () => {
    const rules = templateOf(stack).toJSON().Rules as Record<string, { Assertions: Array<{ Assert: unknown }> }>;
    expect(rules.BedrockKnowledgeBaseRegions.Assertions[0].Assert).toEqual({ 'Fn::Contains': [[...KnowledgeBaseFacts.REGIONS], { Ref: 'AWS::Region' }] });
  });

  test('bind grants bedrock:Retrieve on exactly this knowledge base and returns KNOWLEDGE_BASE_ID', () => {
    const grantee = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(stack.resolve(kb.bind(grantee))).toEqual({ environment: { KNOWLEDGE_BASE_ID: stack.resolve(kb.knowledgeBaseId) } });
    const policy = grantee.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    expect(stack.resolve(policy.policyDocument).Statement).toEqual([{ Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: stack.resolve(kb.knowledgeBaseArn) }]);
  });
});

describe('VectorKnowledgeBase on OpenSearch Serverless (Cohere, semantic chunks, standby replicas)', () => {
  const { stack } = testStack();
  const kb = new VectorKnowledgeBase(stack, 'Kb', {
    vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS,
    embeddingModel: EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3,
    chunking: ChunkingStrategy.semantic({ maxTokens: 400, bufferSize: 1, breakpointPercentileThreshold: 90 }),
    collectionName: 'docs-vectors',
    standbyReplicas: true,
  });
  const template = templateOf(stack);
  const policy = (type: string, policyType: string) => JSON.parse(JSON.stringify(stack.resolve(
    Object.values(template.findResources(type, { Properties: { Type: policyType } }))[0].Properties.Policy,
  ))) as unknown;

  test('a vector collection with standby replicas when asked, after its encryption and network policies', () => {
    const collection = resourceOf(template, 'AWS::OpenSearchServerless::Collection');
    expect(collection.Properties).toMatchObject({ Name: 'docs-vectors', Type: 'VECTORSEARCH', StandbyReplicas: 'ENABLED' });
    expect((collection.DependsOn as string[]).length).toBe(2);
    expect(collection.DeletionPolicy).toBe('Retain');
  });

  test('the encryption policy names the collection and the knowledge base key', () => {
    template.hasResourceProperties('AWS::OpenSearchServerless::SecurityPolicy', { Name: 'docs-vectors-enc', Type: 'encryption' });
    expect(JSON.stringify(policy('AWS::OpenSearchServerless::SecurityPolicy', 'encryption'))).toContain('\\"AWSOwnedKey\\":false');
    expect(JSON.stringify(policy('AWS::OpenSearchServerless::SecurityPolicy', 'encryption'))).toContain('collection/docs-vectors');
  });

  test('the network policy opens the collection endpoint only, never dashboards', () => {
    template.hasResourceProperties('AWS::OpenSearchServerless::SecurityPolicy', {
      Name: 'docs-vectors-net', Type: 'network',
      Policy: JSON.stringify([{ Rules: [{ ResourceType: 'collection', Resource: ['collection/docs-vectors'] }], AllowFromPublic: true }]),
    });
  });

  test('the data access policy names exactly the service role and the CloudFormation execution role', () => {
    const text = JSON.stringify(policy('AWS::OpenSearchServerless::AccessPolicy', 'data'));
    expect(text).toContain('cdk-hnb659fds-cfn-exec-role-');
    expect(text).toContain(JSON.stringify(stack.resolve(kb.role.roleArn)));
    expect(text.match(/Principal/g)).toHaveLength(2);
    expect(text).not.toMatch(/aoss:\*/);
    template.hasResourceProperties('AWS::OpenSearchServerless::AccessPolicy', { Name: 'docs-vectors-acc', Type: 'data' });
  });

  test('a faiss/HNSW index created by CloudFormation, after the access policy', () => {
    const index = resourceOf(template, 'AWS::OpenSearchServerless::Index');
    expect(index.Properties).toMatchObject({
      IndexName: 'bedrock-knowledge-base-default-index',
      Settings: { Index: { Knn: true } },
      Mappings: {
        Properties: {
          'bedrock-knowledge-base-default-vector': { Type: 'knn_vector', Dimension: 1024, Method: { Name: 'hnsw', Engine: 'faiss' } },
          AMAZON_BEDROCK_TEXT_CHUNK: { Type: 'text', Index: true },
          AMAZON_BEDROCK_METADATA: { Type: 'text', Index: false },
        },
      },
    });
    expect(index.DependsOn).toEqual([stack.getLogicalId(kb.node.findChild('DataAccessPolicy') as aoss.CfnAccessPolicy)]);
  });

  test('Cohere takes no dimensions parameter; semantic chunking options reach the data source', () => {
    const config = propsOf(template, 'AWS::Bedrock::KnowledgeBase').KnowledgeBaseConfiguration as { VectorKnowledgeBaseConfiguration: Record<string, unknown> };
    expect(config.VectorKnowledgeBaseConfiguration.EmbeddingModelConfiguration).toBeUndefined();
    expect(JSON.stringify(config.VectorKnowledgeBaseConfiguration.EmbeddingModelArn)).toContain('foundation-model/cohere.embed-multilingual-v3');
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      VectorIngestionConfiguration: { ChunkingConfiguration: { ChunkingStrategy: 'SEMANTIC', SemanticChunkingConfiguration: { MaxTokens: 400, BufferSize: 1, BreakpointPercentileThreshold: 90 } } },
    });
  });

  test('the service role reaches only its collection', () => {
    const reach = serviceRoleStatements(stack, kb).find((s) => s.Sid === 'ReachCollection');
    expect(reach).toEqual({ Sid: 'ReachCollection', Effect: 'Allow', Action: 'aoss:APIAccessAll', Resource: stack.resolve(kb.collection!.attrArn) });
    expect(serviceRoleStatements(stack, kb).some((s) => JSON.stringify(s).includes('s3vectors'))).toBe(false);
  });
});

describe('VectorKnowledgeBase with the caller\'s bucket and key in a concrete region', () => {
  const { stack } = testStack({ region: 'ap-northeast-1', account: '123456789012' });
  const key = new kms.Key(stack, 'CallerKey', { enableKeyRotation: true });
  const bucket = s3.Bucket.fromBucketAttributes(stack, 'CallerDocs', { bucketName: 'caller-docs', encryptionKey: kms.Key.fromKeyArn(stack, 'DocsKey', 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') });
  const kb = new VectorKnowledgeBase(stack, 'Kb', {
    documentsBucket: bucket,
    encryptionKey: key,
    embeddingModel: EmbeddingModel.TITAN_TEXT_V2_512,
    chunking: ChunkingStrategy.hierarchical({ parentMaxTokens: 2000, childMaxTokens: 400, overlapTokens: 50 }),
    nonFilterableMetadataKeys: ['title', 'department'],
    vectorIndexName: 'docs-index',
    scheduledIngestion: false,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const template = templateOf(stack);

  test('no new key, bucket or schedule; the caller\'s bucket key may decrypt documents', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(kb.ingestionSchedule).toBeUndefined();
    expect(serviceRoleStatements(stack, kb).find((s) => s.Sid === 'DecryptDocuments')).toMatchObject({
      Action: 'kms:Decrypt', Resource: 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  test('512 dimensions everywhere, the named index with the extra metadata keys, hierarchical levels parent first', () => {
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      IndexName: 'docs-index', Dimension: 512,
      MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA', 'title', 'department'] },
    });
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      DataDeletionPolicy: 'DELETE',
      VectorIngestionConfiguration: {
        ChunkingConfiguration: {
          ChunkingStrategy: 'HIERARCHICAL',
          HierarchicalChunkingConfiguration: { LevelConfigurations: [{ MaxTokens: 2000 }, { MaxTokens: 400 }], OverlapTokens: 50 },
        },
      },
    });
  });

  test('removalPolicy DESTROY deletes the knowledge base and its store; the model ARN is literal', () => {
    for (const type of ['AWS::Bedrock::KnowledgeBase', 'AWS::S3Vectors::VectorBucket', 'AWS::S3Vectors::Index']) expect(resourceOf(template, type).DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
      KnowledgeBaseConfiguration: { VectorKnowledgeBaseConfiguration: Match.objectLike({ EmbeddingModelArn: 'arn:aws:bedrock:ap-northeast-1::foundation-model/amazon.titan-embed-text-v2:0' }) },
    });
  });

  test('a concrete region in the list needs no region rule', () => {
    expect(template.toJSON().Rules?.BedrockKnowledgeBaseRegions).toBeUndefined();
  });
});

describe('VectorKnowledgeBase with a description, a custom schedule, a given deployment role and no chunking', () => {
  // A stack without the DefaultStackSynthesizer: the deployment role must come from the caller.
  const app = unitTestApp();
  const stack = new Stack(app, 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
  const deployer = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::123456789012:role/pipeline-deploy', { mutable: false });
  const kb = new VectorKnowledgeBase(stack, 'Kb', {
    vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS,
    collectionName: 'manuals',
    deploymentRole: deployer,
    chunking: ChunkingStrategy.none(),
    ingestionSchedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
    description: 'Product manuals, one chunk per file',
  });
  const template = templateOf(stack);

  test('the description reaches the knowledge base', () => {
    template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', { Description: 'Product manuals, one chunk per file' });
  });

  test('the schedule runs on the given expression, not the daily default', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)' });
    expect(JSON.stringify(template.findResources('AWS::Scheduler::Schedule'))).not.toContain('cron(0 3');
    expect(kb.ingestionSchedule).toBeDefined();
  });

  test('the data access policy names the given deployment role instead of a CDK bootstrap role', () => {
    const access = Object.values(template.findResources('AWS::OpenSearchServerless::AccessPolicy'))[0].Properties as { Policy: unknown };
    const text = JSON.stringify(stack.resolve(access.Policy));
    expect(text).toContain('arn:aws:iam::123456789012:role/pipeline-deploy');
    expect(text).not.toContain('cfn-exec-role');
    expect(text.match(/Principal/g)).toHaveLength(2);
  });

  test('ChunkingStrategy.none() sends NONE with no chunking options', () => {
    expect((propsOf(template, 'AWS::Bedrock::DataSource').VectorIngestionConfiguration as Record<string, unknown>).ChunkingConfiguration)
      .toEqual({ ChunkingStrategy: 'NONE' });
  });
});

describe('VectorKnowledgeBase with syncOnUpload', () => {
  const { stack } = testStack();
  const kb = new VectorKnowledgeBase(stack, 'Kb', { syncOnUpload: true });
  const template = templateOf(stack);

  test('the new documents bucket sends its events to EventBridge through CloudFormation, with no Lambda', () => {
    const documents = template.toJSON().Resources[stack.getLogicalId(kb.documentsBucket.node.defaultChild as s3.CfnBucket)] as { Properties: Record<string, unknown> };
    expect(documents.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('a rule on object creation and deletion in exactly that bucket starts the state machine', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created', 'Object Deleted'], 'detail': { bucket: { name: [stack.resolve(kb.documentsBucket.bucketName)] } } },
      Targets: [Match.objectLike({ Arn: stack.resolve(kb.syncStateMachine!.stateMachineArn) })],
    });
  });

  test('the state machine calls bedrockagent:startIngestionJob itself and retries a running job\'s ConflictException with backoff', () => {
    const definition = JSON.stringify(stack.resolve((kb.syncStateMachine!.node.defaultChild as sfn.CfnStateMachine).definitionString));
    expect(definition).toContain(':states:::aws-sdk:bedrockagent:startIngestionJob');
    expect(definition).toContain('\\"ErrorEquals\\":[\\"BedrockAgent.ConflictException\\"],\\"IntervalSeconds\\":60,\\"MaxAttempts\\":15,\\"BackoffRate\\":2,\\"MaxDelaySeconds\\":900,\\"JitterStrategy\\":\\"FULL\\"');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });

  test('the state machine may start ingestion of this knowledge base only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: stack.getLogicalId(kb.syncStateMachine!.role.node.defaultChild as iam.CfnRole) }] },
    }));
    expect(policies).toHaveLength(1);
    const statements = (policies[0].Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement;
    expect(statements).toContainEqual({ Action: 'bedrock:StartIngestionJob', Effect: 'Allow', Resource: stack.resolve(kb.knowledgeBaseArn) });
  });

  test('cdk-nag clean, and every acknowledgement matches a finding that fires', () => {
    expect(unusedNagAcknowledgements(stack).map((a) => `${a.id} on ${a.path}`)).toEqual([]);
    const syncAcks = nagAcknowledgements(stack).filter((a) => a.path.includes('/Sync')).map((a) => `${a.id} on ${a.path}`).sort();
    expect(syncAcks).toEqual([
      'AwsSolutions-IAM5[Resource::*] on TestStack/Kb/SyncStateMachine/Role',
      'NIST.800.53.R5-IAMNoInlinePolicy on TestStack/Kb/SyncRuleRole',
      'NIST.800.53.R5-IAMNoInlinePolicy on TestStack/Kb/SyncStateMachine/Role',
    ]);
  });

  test('with the caller\'s bucket: no bucket change, and a warning that its EventBridge notifications are the caller\'s to enable', () => {
    const other = testStack().stack;
    const bucket = s3.Bucket.fromBucketName(other, 'Docs', 'caller-docs');
    new VectorKnowledgeBase(other, 'Kb', { documentsBucket: bucket, syncOnUpload: true });
    const warnings = Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('enable its EventBridge notifications yourself'));
    expect(warnings).toHaveLength(1);
    templateOf(other).resourceCountIs('AWS::Events::Rule', 1);
  });
});

/** The parts of the templates the agreement test reads. */
interface KbTemplate {
  readonly Dimension?: number;
  readonly KnowledgeBaseConfiguration: {
    readonly VectorKnowledgeBaseConfiguration: { readonly EmbeddingModelArn: unknown; readonly EmbeddingModelConfiguration?: { readonly BedrockEmbeddingModelConfiguration?: { readonly Dimensions?: number } } };
  };
  readonly StorageConfiguration: {
    readonly Type: string;
    readonly OpensearchServerlessConfiguration: { readonly VectorIndexName: string; readonly FieldMapping: { readonly VectorField: string; readonly TextField: string; readonly MetadataField: string } };
  };
}

interface OssIndexTemplate {
  readonly IndexName: string;
  readonly Mappings: { readonly Properties: Record<string, unknown> };
}

describe('the embedding dimension, the vector index dimension and the knowledge base\'s field mapping agree', () => {
  const models = [EmbeddingModel.TITAN_TEXT_V2_1024, EmbeddingModel.TITAN_TEXT_V2_256, EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3];
  // One app, one synthesis: every store with every model.
  const app = unitTestApp();
  const cases = Object.values(VectorStoreType).flatMap((store) => models.map((model) => {
    const stack = new Stack(app, `${store}${model.modelId.replace(/[^a-z0-9]/gi, '')}${model.dimensions}`);
    new VectorKnowledgeBase(stack, 'Kb', { vectorStore: store, embeddingModel: model });
    return { store, model, stack };
  }));
  const assembly = app.synth();

  test.each(cases.map((c) => [c.store, c.model.modelId, c.model.dimensions, c.stack.stackName]))('%s with %s at %i dimensions', (store, modelId, dims, stackName) => {
    const resources = Object.values(assembly.getStackByName(stackName as string).template.Resources as Record<string, { Type: string; Properties: KbTemplate }>);
    const kb = resources.find((r) => r.Type === 'AWS::Bedrock::KnowledgeBase')!.Properties;
    const vector = kb.KnowledgeBaseConfiguration.VectorKnowledgeBaseConfiguration;
    expect(JSON.stringify(vector.EmbeddingModelArn)).toContain(`foundation-model/${modelId}`);
    const configured = vector.EmbeddingModelConfiguration?.BedrockEmbeddingModelConfiguration?.Dimensions;
    if (configured !== undefined) expect(configured).toBe(dims);
    if (store === VectorStoreType.S3_VECTORS) {
      expect(resources.find((r) => r.Type === 'AWS::S3Vectors::Index')!.Properties.Dimension).toBe(dims);
      expect(kb.StorageConfiguration.Type).toBe('S3_VECTORS');
    } else {
      const index = resources.find((r) => r.Type === 'AWS::OpenSearchServerless::Index')!.Properties as unknown as OssIndexTemplate;
      const mapping = kb.StorageConfiguration.OpensearchServerlessConfiguration;
      expect(mapping.VectorIndexName).toBe(index.IndexName);
      const fields = index.Mappings.Properties;
      expect(fields[mapping.FieldMapping.VectorField]).toMatchObject({ Type: 'knn_vector', Dimension: dims });
      expect(fields[mapping.FieldMapping.TextField]).toMatchObject({ Type: 'text' });
      expect(fields[mapping.FieldMapping.MetadataField]).toMatchObject({ Type: 'text' });
    }
  });
});

describe('OpenSearch Serverless defaults', () => {
  test('redundancy off, a generated collection name AWS accepts, policies named after it', () => {
    const { stack } = testStack();
    new VectorKnowledgeBase(stack, 'KnowledgeBaseWithAVeryLongConstructIdIndeed', { vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS });
    const template = templateOf(stack);
    const collection = propsOf(template, 'AWS::OpenSearchServerless::Collection');
    expect(collection.StandbyReplicas).toBe('DISABLED');
    const name = collection.Name as string;
    expect(name).toMatch(KnowledgeBaseFacts.COLLECTION_NAME_PATTERN);
    const policyNames = Object.values(template.findResources('AWS::OpenSearchServerless::SecurityPolicy'))
      .concat(Object.values(template.findResources('AWS::OpenSearchServerless::AccessPolicy')))
      .map((r) => (r.Properties as { Name: string }).Name).sort();
    expect(policyNames).toEqual([`${name}-acc`, `${name}-enc`, `${name}-net`]);
    for (const p of policyNames) expect(p).toMatch(KnowledgeBaseFacts.POLICY_NAME_PATTERN);
  });
});

describe('importers', () => {
  test('fromKnowledgeBaseId: bedrock:Retrieve on exactly that knowledge base, KNOWLEDGE_BASE_ID for the handler', () => {
    const { stack } = testStack({ region: 'us-east-1', account: '123456789012' });
    const kb = VectorKnowledgeBase.fromKnowledgeBaseId(stack, 'Kb', 'ABCDE12345');
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    acknowledgeFixture(role, 'NIST.800.53.R5-IAMNoInlinePolicy');
    expect(kb.bind(role)).toEqual({ environment: { KNOWLEDGE_BASE_ID: 'ABCDE12345' } });
    expect(kb.knowledgeBaseArn).toBe('arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDE12345');
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/ABCDE12345' }] },
    });
  });

  test('fromKnowledgeBaseAttributes keeps a given ARN (another region\'s knowledge base)', () => {
    const { stack } = testStack();
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:knowledge-base/ZYXWV98765';
    const kb = VectorKnowledgeBase.fromKnowledgeBaseAttributes(stack, 'Kb', { knowledgeBaseId: 'ZYXWV98765', knowledgeBaseArn: arn });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    kb.grantRetrieve(role);
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    expect(stack.resolve(policy.policyDocument).Statement).toEqual([{ Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: arn }]);
  });

  test('grantIngestion: every Bedrock Agent call of `kb sync` and `kb status`, on exactly this knowledge base', () => {
    const { stack } = testStack();
    const kb = new VectorKnowledgeBase(stack, 'Kb');
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    kb.grantIngestion(role);
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    // The commands the CLI sends (bin/cli/kb.ts), each as its IAM action.
    const cli = fs.readFileSync(path.join(__dirname, '../../bin/cli/kb.ts'), 'utf-8');
    const sent = [...new Set([...cli.matchAll(/new sdk\.(\w+)Command\(/g)].map((m) => `bedrock:${m[1]}`))].sort();
    expect(sent).toEqual(['bedrock:GetIngestionJob', 'bedrock:ListDataSources', 'bedrock:ListIngestionJobs', 'bedrock:StartIngestionJob']);
    expect(stack.resolve(policy.policyDocument).Statement).toEqual([
      { Action: expect.arrayContaining(sent), Effect: 'Allow', Resource: stack.resolve(kb.knowledgeBaseArn) },
    ]);
    expect((stack.resolve(policy.policyDocument).Statement as Array<{ Action: string[] }>)[0].Action).toHaveLength(sent.length);
  });

  test.each(['abc', 'ABCDE1234!', 'ABCDE123456', 'abcde-1234'])('throws when the knowledge base ID is %s', (id) => {
    const { stack } = testStack();
    expect(() => VectorKnowledgeBase.fromKnowledgeBaseId(stack, 'Kb', id)).toThrow(/knowledgeBaseId '.*' is not a knowledge base ID \(10 letters and digits/);
  });
});

describe('synth-time errors name the prop, the value and what is allowed', () => {
  test('throws when the model does not produce the dimension', () => {
    expect(() => EmbeddingModel.of('amazon.titan-embed-text-v2:0', 768)).toThrow(/does not produce 768-dimension vectors; it produces 1024, 512, 256/);
    expect(() => EmbeddingModel.of('cohere.embed-multilingual-v3', 512)).toThrow(/does not produce 512-dimension vectors; it produces 1024/);
  });

  test('of() finds catalog models and defaults to their largest dimension', () => {
    expect(EmbeddingModel.of('amazon.titan-embed-text-v2:0').dimensions).toBe(1024);
    expect(EmbeddingModel.of('amazon.titan-embed-text-v2:0', 256).maxInputTokens).toBe(8192);
    expect(EmbeddingModel.of('cohere.embed-multilingual-v3').maxInputTokens).toBe(512);
  });

  test('throws when the embedding model is unknown', () => {
    expect(() => EmbeddingModel.of('amazon.titan-embed-text-v9:0')).toThrow(/'amazon.titan-embed-text-v9:0' is not a catalog embedding model; known: amazon.titan-embed-text-v2:0, cohere.embed-multilingual-v3/);
    expect(() => build({ embeddingModel: 'titan' as unknown as EmbeddingModel })()).toThrow(/embeddingModel: "titan" is not an EmbeddingModel/);
  });

  test('throws when custom() gets an impossible model', () => {
    expect(() => EmbeddingModel.custom({ modelId: 'my model', dimensions: 5000, maxInputTokens: 0 }))
      .toThrow(/modelId: 'my model' is not a Bedrock model ID[\s\S]*dimensions: 5000 must be a whole number from 1 to 4096[\s\S]*maxInputTokens: 0/);
  });

  test('throws when a chunk is larger than the model embeds', () => {
    expect(build({ embeddingModel: EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3, chunking: ChunkingStrategy.fixedSize({ maxTokens: 1000 }) }))
      .toThrow(/chunking maxTokens: 1000 tokens exceeds what Cohere Embed Multilingual v3 embeds \(512 tokens\); use at most 512/);
    expect(build({ chunking: ChunkingStrategy.semantic({ maxTokens: 9000 }) })).toThrow(/chunking maxTokens: 9000 tokens exceeds .* \(8192 tokens\)/);
    expect(build({ embeddingModel: EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3, chunking: ChunkingStrategy.hierarchical() }))
      .not.toThrow();
    expect(build({ embeddingModel: EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3, chunking: ChunkingStrategy.hierarchical({ childMaxTokens: 600 }) }))
      .toThrow(/chunking childMaxTokens: 600 tokens exceeds/);
  });

  test.each([0, 100, 150, 12.5])('throws when the overlap is %s %%', (overlap) => {
    expect(build({ chunking: ChunkingStrategy.fixedSize({ overlapPercentage: overlap }) })).toThrow(new RegExp(`chunking overlapPercentage: ${overlap} must be a whole number from 1 to 99 percent`));
  });

  test('throws when semantic or hierarchical options are out of range', () => {
    expect(build({ chunking: ChunkingStrategy.semantic({ bufferSize: 2, breakpointPercentileThreshold: 40 }) }))
      .toThrow(/chunking bufferSize: 2 must be a whole number from 0 to 1[\s\S]*chunking breakpointPercentileThreshold: 40 must be a whole number from 50 to 99/);
    expect(build({ chunking: ChunkingStrategy.hierarchical({ parentMaxTokens: 300, childMaxTokens: 300 }) })).toThrow(/chunking parentMaxTokens: 300 must be a whole number larger than childMaxTokens \(300\)/);
  });

  test('throws when the metadata keys are more than S3 Vectors holds, too long, or repeat Bedrock\'s', () => {
    expect(build({ nonFilterableMetadataKeys: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }))
      .toThrow(/nonFilterableMetadataKeys: 9 keys given; an S3 vector index holds at most 10 non-filterable keys and Bedrock takes 2 .*so at most 8/);
    expect(build({ nonFilterableMetadataKeys: ['x'.repeat(64)] })).toThrow(/'x{64}' must be 1 to 63 characters/);
    expect(build({ nonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT'] })).toThrow(/'AMAZON_BEDROCK_TEXT' is given twice or is one of Bedrock's own keys/);
    expect(build({ vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS, nonFilterableMetadataKeys: ['title'] })).toThrow(/nonFilterableMetadataKeys: apply to S3 Vectors only/);
  });

  test.each(['AB', 'Docs', '1docs', 'docs_vectors', 'a'.repeat(29)])('throws when the collection name is %s', (name) => {
    expect(build({ vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS, collectionName: name }))
      .toThrow(new RegExp(`collectionName: '${name}' is not an OpenSearch Serverless collection name \\(3-28 lowercase letters, digits and hyphens, starting with a letter\\)`));
  });

  test('throws when the index name is one AWS rejects', () => {
    expect(build({ vectorIndexName: 'Docs_Index' })).toThrow(/vectorIndexName: 'Docs_Index' is not an S3 vector index name \(3-63 lowercase/);
    expect(build({ vectorIndexName: 'ab' })).toThrow(/vectorIndexName: 'ab' is not an S3 vector index name/);
    expect(build({ vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS, vectorIndexName: '_docs' })).toThrow(/vectorIndexName: '_docs' is not an OpenSearch index name/);
    expect(build({ vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS, vectorIndexName: 'my docs' })).toThrow(/vectorIndexName: 'my docs' is not an OpenSearch index name/);
  });

  test('throws when the concrete region has no Bedrock knowledge bases', () => {
    expect(build({}, { region: 'us-west-1' })).toThrow(/the stack's region us-west-1 has no Amazon Bedrock knowledge bases; regions with them: ap-northeast-1, .*us-west-2/);
    expect(build({}, { region: 'us-west-2' })).not.toThrow();
  });

  test('throws when OpenSearch-only props are given for S3 Vectors, or the vector store is unknown', () => {
    expect(build({ collectionName: 'docs', standbyReplicas: false }))
      .toThrow(/collectionName: applies to OpenSearch Serverless only[\s\S]*standbyReplicas: applies to OpenSearch Serverless only/);
    expect(build({ vectorStore: 'pinecone' as VectorStoreType })).toThrow(/vectorStore: 'pinecone' is not a vector store; use VectorStoreType.S3_VECTORS or OPENSEARCH_SERVERLESS/);
  });

  test('throws when OpenSearch has no deployment role to name (a stack without the default synthesizer)', () => {
    const app = unitTestApp();
    const stack = new Stack(app, 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => new VectorKnowledgeBase(stack, 'Kb', { vectorStore: VectorStoreType.OPENSEARCH_SERVERLESS }))
      .toThrow(/deploymentRole: required with OpenSearch Serverless when the stack does not use the DefaultStackSynthesizer/);
  });

  test('throws when a schedule is given with scheduledIngestion false', () => {
    expect(build({ scheduledIngestion: false, ingestionSchedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '1' }) }))
      .toThrow(/ingestionSchedule: given while scheduledIngestion is false/);
  });
});
