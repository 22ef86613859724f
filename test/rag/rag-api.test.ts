import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnParameter, RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { KendraEdition, KendraIndex, RagApi, RagApiAuthorization, type KendraIndexProps, type RagApiProps } from '../../constructs';
import { KendraRagStack } from '../../lib/kendra-rag-stack';
import { BUNDLE_ALL, SKIP_BUNDLING, templateOf, testStack, unitTestApp } from '../util/synth';
import { acknowledgeFixture } from '../util/nag-fixtures';

const INDEX_ID = '0123abcd-4567-89ef-0123-456789abcdef';

/** An endpoint created elsewhere: the API takes any SageMaker endpoint, not only LmiEndpoint. */
class ImportedEndpoint extends Resource implements sagemaker.IEndpoint {
  public readonly endpointName = 'falcon-40b-prod';
  public readonly endpointArn: string;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.endpointArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: this.endpointName });
  }
  public get endpointRef() {
    return { endpointArn: this.endpointArn };
  }
  public grantInvoke(grantee: iam.IGrantable) {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}

function withApi(stack: Stack, props: Partial<RagApiProps> = {}) {
  return new RagApi(stack, 'Rag', {
    authorization: RagApiAuthorization.iam(),
    ...props,
    // Defaults only for what the test leaves out (an explicit undefined stays undefined).
    retriever: 'retriever' in props ? props.retriever! : KendraIndex.fromIndexId(stack, 'ExistingIndex', INDEX_ID),
    endpoint: 'endpoint' in props ? props.endpoint! : new ImportedEndpoint(stack, 'Endpoint'),
  });
}

function synth(props: Partial<RagApiProps> = {}) {
  const { stack } = testStack(undefined, SKIP_BUNDLING);
  const api = withApi(stack, props);
  return { stack, api, template: templateOf(stack) };
}

function build(props: Partial<RagApiProps>) {
  const { stack } = testStack(undefined, SKIP_BUNDLING);
  return () => withApi(stack, props);
}

describe('RagApi', () => {
  test('POST /ask with IAM auth, a body model and validator, throttled stage, access logs, usage plan', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', TimeoutInMillis: 29000 }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['question'], properties: Match.objectLike({ question: { type: 'string', minLength: 1, maxLength: 1000 } }) }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })]),
      TracingEnabled: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 10, BurstLimit: 20 } });
    // The account's API Gateway logging role, which stage logging needs; retained, since it is account-wide.
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false })]) });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': '{"message": "$context.error.validationErrorString"}' },
    });
  });

  test('the handler: Node 24 on ARM, 25 s (under the 29 s integration), its settings in the environment, least-privilege grants', () => {
    const { template } = synth({ topK: 5, maxNewTokens: 128, temperature: 0 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 25,
      Environment: {
        Variables: Match.objectLike({
          ENDPOINT_NAME: 'falcon-40b-prod', KENDRA_INDEX_ID: INDEX_ID, TOP_K: '5', MAX_NEW_TOKENS: '128', TEMPERATURE: '0',
          MAX_QUESTION_CHARS: '1000', MAX_HISTORY_TURNS: '10', MAX_HISTORY_CHARS: '8000', DEBUG_LOGGING: 'false',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kendra:Query', 'kendra:Retrieve'], Resource: { 'Fn::Join': ['', Match.arrayWith([`:index/${INDEX_ID}`])] } }),
          Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Resource: { 'Fn::Join': ['', Match.arrayWith([':endpoint/falcon-40b-prod'])] } }),
        ]),
      },
    });
    const handlerRoles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    });
    expect(Object.keys(handlerRoles)).toHaveLength(1);
    expect(JSON.stringify(handlerRoles)).not.toMatch(/ManagedPolicyArns/);
  });

  test('the handler is traced with X-Ray and has no reserved concurrency unless asked', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' }, ReservedConcurrentExecutions: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' })]) },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
  });

  test('tracing: false and reservedConcurrentExecutions are passed to the function', () => {
    const { template } = synth({ tracing: false, reservedConcurrentExecutions: 20 });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent(), ReservedConcurrentExecutions: 20 });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/xray:/);
  });

  test.each([0, 2.5, -1])('throws when reservedConcurrentExecutions is %p', (n) => {
    expect(build({ reservedConcurrentExecutions: n })).toThrow(new RegExp(`reservedConcurrentExecutions: ${n} must be a whole number of at least 1`));
  });

  test('Cognito authorization uses a user-pool authorizer', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_abcdefghi');
    withApi(stack, { authorization: RagApiAuthorization.cognito(pool) });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
  });

  test('CORS for the given origin and WAF when asked', () => {
    const { template } = synth({ allowedOrigins: ['https://app.example.com'], waf: true });
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX', 'BAD_REQUEST_BODY']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" }),
      });
    }
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([':apigateway:', '::/restapis/', '/stages/'])] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: [Match.objectLike({ ResponseParameters: Match.objectLike({ 'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'" }) })],
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CORS_ORIGINS: 'https://app.example.com' }) } });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'RateLimitPerIp', Statement: { RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP' } } }),
      ]),
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:aws-waf-logs-')])] }],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'x-amz-security-token' } }],
    });
  });

  test('adds no stack outputs unless asked; addOutputs() adds the URL and a signed request example', () => {
    const { template } = synth();
    expect(template.findOutputs('*')).toEqual({});
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    withApi(stack).addOutputs();
    const outputs = Object.values(templateOf(stack).findOutputs('*')).map((o) => o.Description);
    expect(outputs).toEqual(['POST {"question": "..."} here', expect.stringMatching(/signed/i)]);
  });

  test('grantInvoke gives execute-api:Invoke on the method', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    const api = withApi(stack);
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    acknowledgeFixture(caller, 'NIST.800.53.R5-IAMNoInlinePolicy');
    api.grantInvoke(caller);
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'execute-api:Invoke' })] },
    });
  });

  test.each([
    [{ topK: 0 }, /topK: 0 must be a whole number from 1 to 100/],
    [{ maxQuestionLength: 0 }, /maxQuestionLength: 0 must be a whole number from 1 to 1000/],
    [{ maxQuestionLength: 5000 }, /maxQuestionLength: 5000 must be a whole number from 1 to 1000/],
    [{ maxNewTokens: 1.5 }, /maxNewTokens: 1\.5 must be a whole number/],
    [{ maxHistoryChars: -1 }, /maxHistoryChars: -1 must be a whole number from 0 to 1000000/],
    [{ temperature: 3 }, /temperature: 3 must be from 0 to 2/],
    [{ allowedOrigins: ['*'] }, /allowedOrigins: '\*' must be one origin/],
    [{ allowedOrigins: ['https://a.com/path'] }, /allowedOrigins: 'https:\/\/a\.com\/path' must be one origin/],
  ])('throws when %j', (props, message) => {
    expect(build(props as Partial<RagApiProps>)).toThrow(message);
  });

  test('the REST API requires TLS 1.2; the execution log group exists before the stage, with retention and KMS', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'TLS_1_2' });
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('RagApi') }, '/v1']] } },
    });
    const [groupId] = Object.keys(groups);
    expect(groupId).toBeDefined();
    expect(groups[groupId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^RagLogsKey/), 'Arn'] } },
    });
    const stages = template.findResources('AWS::ApiGateway::Stage');
    expect(Object.values(stages)[0].DependsOn).toContain(groupId);
    // The API's one logs key lets CloudWatch Logs use it for this account's log groups only.
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']] } } },
        })]),
      },
    });
  });

  test.each([
    ['no retriever', { retriever: undefined }, /retriever: required; use a KendraIndex or KendraIndex\.fromIndexId\(scope, id, indexId\)/],
    ['a string retriever', { retriever: 'my-index' }, /retriever: 'my-index' is not a retriever/],
    ['no endpoint', { endpoint: undefined }, /endpoint: required; use an LmiEndpoint/],
    ['an endpoint name', { endpoint: 'falcon-40b' }, /endpoint: 'falcon-40b' is not a SageMaker endpoint/],
    ['authorization NONE', { authorization: 'NONE' }, /authorization: 'NONE' is not allowed; use RagApiAuthorization\.iam\(\)/],
    ['topK as a string', { topK: '3' }, /topK: '3' must be a number/],
    ['waf as a string', { waf: 'yes' }, /waf: 'yes' must be true or false/],
    ['tracing as a string', { tracing: 'on' }, /tracing: 'on' must be true or false/],
    ['INFINITE retention', { logRetention: 9999 }, /logRetention: 9999 is not a logs\.RetentionDays value/],
    ['42 days retention', { logRetention: 42 }, /logRetention: 42 is not a logs\.RetentionDays value/],
    ['one origin as a string', { allowedOrigins: 'https://a.com' }, /allowedOrigins: 'https:\/\/a\.com' must be an array of origins/],
  ])('throws when a JavaScript caller passes %s', (_what, props, message) => {
    expect(build(props as unknown as Partial<RagApiProps>)).toThrow(message);
  });

  test('throws when the props are missing', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    expect(() => new RagApi(stack, 'Rag', undefined as unknown as RagApiProps)).toThrow(/RagApi: props are required: \{ retriever, endpoint, authorization \}/);
  });

  test('throws when the authorization is missing (never open)', () => {
    expect(build({ authorization: undefined as unknown as RagApiAuthorization })).toThrow(/authorization: required/);
  });

  test('exposes the stage, method, usage plan and handler for adjustments', () => {
    const { stack, api } = synth();
    expect(api.stage).toBe(api.api.deploymentStage);
    expect(stack.resolve(api.method.httpMethod)).toBe('POST');
    expect(api.method.resource.path).toBe('/ask');
    expect(api.usagePlan.node.path).toBe('TestStack/Rag/Api/UsagePlan');
    expect(api.handler.node.path).toBe('TestStack/Rag/Handler');
  });

  test('takes any importer\'s endpoint: only its name and grantInvoke are used, not endpointRef', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    const name = new CfnParameter(stack, 'EndpointName').valueAsString;
    // Like alpha's imported endpoints at run time: no endpointRef.
    class NameOnlyImport extends Resource {
      public readonly endpointName = name;
      public readonly endpointArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: name });
      public grantInvoke(grantee: iam.IGrantable) {
        return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
      }
    }
    const endpoint = new NameOnlyImport(stack, 'Imported') as unknown as sagemaker.IEndpoint;
    withApi(stack, { endpoint });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ENDPOINT_NAME: { Ref: 'EndpointName' } }) } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Resource: stack.resolve(Stack.of(stack).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: name })) })]) },
    });
  });

  test('a user adds an API key to the usage plan through the escape hatch', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    const api = withApi(stack);
    api.usagePlan.addApiKey(api.api.addApiKey('TeamKey'));
    templateOf(stack).resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });
});

describe('KendraIndex', () => {
  test('a Developer Edition index, KMS, an S3 data source on a schedule over a retained bucket', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    const index = new KendraIndex(stack, 'Index');
    withApi(stack, { retriever: index });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Kendra::Index', { Edition: 'DEVELOPER_EDITION', ServerSideEncryptionConfiguration: { KmsKeyId: Match.anyValue() } });
    template.hasResourceProperties('AWS::Kendra::DataSource', { Type: 'TEMPLATE', Schedule: 'cron(0 3 * * ? *)' });
    // The template is a JSON object, as the resource schema requires, with the bucket as a reference.
    template.hasResourceProperties('AWS::Kendra::DataSource', {
      DataSourceConfiguration: {
        TemplateConfiguration: {
          Template: Match.objectLike({
            type: 'S3',
            version: '1.0.0',
            connectionConfiguration: { repositoryEndpointMetadata: { BucketName: { Ref: Match.stringLikeRegexp('IndexDocuments') } } },
            repositoryConfigurations: { document: { fieldMappings: [Match.objectLike({ indexFieldName: 's3_document_id' })] } },
          }),
        },
      },
    });
    template.hasResourceProperties('AWS::Kendra::Index', {
      DocumentMetadataConfigurations: [Match.objectLike({ Name: 's3_document_id', Type: 'STRING_VALUE' })],
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KENDRA_INDEX_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('Index'), 'Id'] } }) },
    });
  });

  test('the index is retained by default, and follows removalPolicy when given', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    new KendraIndex(stack, 'Kept');
    new KendraIndex(stack, 'Dropped', { removalPolicy: RemovalPolicy.DESTROY, edition: KendraEdition.ENTERPRISE, syncSchedule: '' });
    const indexes = templateOf(stack).findResources('AWS::Kendra::Index');
    const byId = (prefix: string) => Object.entries(indexes).find(([id]) => id.startsWith(prefix))![1];
    expect(byId('Kept')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(byId('Dropped')).toMatchObject({ DeletionPolicy: 'Delete', Properties: { Edition: 'ENTERPRISE_EDITION' } });
    // '' syncs on demand only: no Schedule.
    const sources = templateOf(stack).findResources('AWS::Kendra::DataSource');
    const dropped = Object.entries(sources).find(([id]) => id.startsWith('Dropped'))![1] as { Properties: Record<string, unknown> };
    expect(dropped.Properties.Schedule).toBeUndefined();
  });

  test('the documents bucket and its access-log bucket deny TLS before 1.2', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    new KendraIndex(stack, 'Index');
    const policies = templateOf(stack).findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy).toMatchObject({
        Properties: {
          PolicyDocument: {
            Statement: expect.arrayContaining([expect.objectContaining({
              Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            })]),
          },
        },
      });
    }
  });

  test.each([
    [{ syncSchedule: 'daily' }, /syncSchedule: 'daily' must be a cron\(\.\.\.\) expression or '' \(on demand\)/],
    [{ syncSchedule: 'cron(0 3 * * *)' }, /syncSchedule: 'cron\(0 3 \* \* \*\)' must have 6 fields .* got 5/],
    [{ syncSchedule: 'cron(0 3 * * MON *)' }, /must have '\?' in exactly one of day-of-month/],
    [{ syncSchedule: 'rate(1 day)' }, /syncSchedule: 'rate\(1 day\)' must be a cron/],
    [{ syncSchedule: 'cron(70 3 * * ? *)' }, /syncSchedule: 'cron\(70 3 \* \* \? \*\)' has minutes 70, outside 0-59/],
    [{ syncSchedule: 'cron(0 24 * * ? *)' }, /has hours 24, outside 0-23/],
    [{ syncSchedule: 'cron(0 3 ? 13 MON *)' }, /has month 13, outside 1-12/],
    [{ syncSchedule: 7 }, /syncSchedule: must be a string .* got number/],
    [{ edition: 'FREE' }, /edition: 'FREE' is not a Kendra edition; use KendraEdition\.DEVELOPER, ENTERPRISE or GEN_AI_ENTERPRISE \(DEVELOPER_EDITION, ENTERPRISE_EDITION, GEN_AI_ENTERPRISE_EDITION\)/],
    [{ documentsBucket: 'my-bucket' }, /documentsBucket: must be an s3\.IBucket .* got string/],
    [{ removalPolicy: 'keep' }, /removalPolicy: 'keep' is not a RemovalPolicy/],
  ])('throws when %j', (props, message) => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    expect(() => new KendraIndex(stack, 'Index', props as unknown as KendraIndexProps)).toThrow(message);
  });

  test('accepts a valid Kendra cron schedule', () => {
    const { stack } = testStack(undefined, SKIP_BUNDLING);
    expect(() => new KendraIndex(stack, 'Index', { syncSchedule: 'cron(15 2 ? * MON-FRI *)' })).not.toThrow();
    expect(() => new KendraIndex(stack, 'Quarterly', { syncSchedule: 'cron(0/15 0-23 1 1,4,7,10 ? *)' })).not.toThrow();
  });
});

describe('KendraRag stack', () => {
  test('imports an existing index when given, and says new customers cannot create one otherwise', () => {
    const app = unitTestApp();
    const imported = new KendraRagStack(app, 'Imported', { kendraIndexId: INDEX_ID });
    const created = new KendraRagStack(app, 'Created');
    expect(templateOf(imported).findResources('AWS::Kendra::Index')).toEqual({});
    expect(Object.keys(templateOf(created).findResources('AWS::Kendra::Index'))).toHaveLength(1);
    expect(created.templateOptions.description).toMatch(/only accounts that used Kendra before 2026-07-30 can create one/);
    expect(created.templateOptions.description).toMatch(/about \$1\.125\/h/);
    const outputs = templateOf(imported).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'ChatUrl']));
    // The documents bucket and index outputs belong to a new index only.
    expect(Object.keys(outputs)).not.toContain('DocumentsBucketName');
    expect(Object.keys(templateOf(created).toJSON().Outputs)).toEqual(expect.arrayContaining(['KendraIndexId', 'DocumentsBucketName']));
  });

  test('bundles the handler with esbuild for real', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-bundle-'));
    const app = unitTestApp({ outdir, context: BUNDLE_ALL });
    new KendraRagStack(app, 'Bundled', { kendraIndexId: INDEX_ID });
    const assembly = app.synth();
    const bundles = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(assembly.directory, d, 'index.js')).filter((f) => fs.existsSync(f));
    expect(bundles).toHaveLength(1);
    const code = fs.readFileSync(bundles[0], 'utf-8');
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/require\("@langchain\//);
  });
});
