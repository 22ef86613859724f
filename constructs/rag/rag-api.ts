import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Aws, CfnOutput, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { logRetentionProblem, logsKey } from '../private/logs-key';
import { describe, PropErrors } from '../private/validation';
import { CONFIG_DEFAULTS, INTEGER_SETTINGS, TEMPERATURE } from './handler/config';
import type { IRagRetriever } from './retriever';

/**
 * The directory of the pre-built handler bundle (index.js + its source map), which `npm run build`
 * writes to `assets/rag-handler/` at the package root (scripts/bundle-rag-handler.js): beside
 * `constructs/` when this runs from the sources, beside `dist/` when it runs from the package.
 * From the sources, a missing or stale bundle is rebuilt here (esbuild is a devDependency there).
 */
function handlerAssetDir(): string {
  const root = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
    .find((dir) => fs.existsSync(path.join(dir, 'package.json')));
  const dir = path.join(root ?? path.join(__dirname, '..', '..'), 'assets', 'rag-handler');
  const bundler = root && path.join(root, 'scripts', 'bundle-rag-handler.js');
  if (bundler && fs.existsSync(bundler) && fs.existsSync(path.join(__dirname, 'handler', 'index.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build script, only in a source checkout
    const { bundleRagHandler, ragHandlerBundleStale } = require(bundler) as { bundleRagHandler(): string; ragHandlerBundleStale(): boolean };
    return ragHandlerBundleStale() ? bundleRagHandler() : dir;
  }
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`RagApi: the pre-built handler bundle ${dir}/index.js is missing; run \`npm run build\` in the llm-recipes-cdk package`);
  }
  return dir;
}

/** How callers authenticate to the API. There is no open option. */
export abstract class RagApiAuthorization {
  /**
   * SigV4-signed requests from IAM principals granted `execute-api:Invoke` (see `grantInvoke`).
   * There is no end-user identity: Kendra gets no UserContext, so document-level access control
   * does not narrow what a caller retrieves.
   */
  public static iam(): RagApiAuthorization {
    return new IamAuthorization();
  }

  /**
   * Cognito user-pool tokens in the `Authorization` header. The handler passes the caller's
   * `cognito:username` (else `sub`) and `cognito:groups` to Kendra as its UserContext, so the
   * index's document ACLs apply.
   */
  public static cognito(userPool: cognito.IUserPool): RagApiAuthorization {
    return new CognitoAuthorization(userPool);
  }

  /** @internal */
  public abstract _methodOptions(scope: Construct): apigw.MethodOptions;
}

class IamAuthorization extends RagApiAuthorization {
  public _methodOptions(): apigw.MethodOptions {
    return { authorizationType: apigw.AuthorizationType.IAM };
  }
}

class CognitoAuthorization extends RagApiAuthorization {
  constructor(private readonly userPool: cognito.IUserPool) {
    super();
  }

  public _methodOptions(scope: Construct): apigw.MethodOptions {
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(scope, 'Authorizer', { cognitoUserPools: [this.userPool] });
    return { authorizationType: apigw.AuthorizationType.COGNITO, authorizer };
  }
}

/** Properties of a {@link RagApi}. */
export interface RagApiProps {
  /** Where passages come from: a `KendraIndex`, or an existing index from `KendraIndex.fromIndexId(scope, id, indexId)`. */
  readonly retriever: IRagRetriever;
  /**
   * The SageMaker endpoint of an LMI container: an `LmiEndpoint`, or any `sagemaker.IEndpoint`, such as
   * one imported from its name or ARN. The handler needs only its name and `grantInvoke`.
   */
  readonly endpoint: sagemaker.IEndpoint;
  /** `RagApiAuthorization.iam()` or `RagApiAuthorization.cognito(pool)`; required, never open. */
  readonly authorization: RagApiAuthorization;
  /** Passages retrieved per question. @default 3 */
  readonly topK?: number;
  /** @default 256 */
  readonly maxNewTokens?: number;
  /** @default 0.1 */
  readonly temperature?: number;
  /** Longest question, in characters. @default 1000 */
  readonly maxQuestionLength?: number;
  /** Most chat-history turns a client may send. @default 10 */
  readonly maxHistoryTurns?: number;
  /** Most characters of chat history, all turns together (keep it within the model's context). @default 8000 */
  readonly maxHistoryChars?: number;
  /** Steady-state requests per second across all callers (stage throttle; the usage plan carries it for API keys). @default 10 */
  readonly throttleRateLimit?: number;
  /** Burst requests. @default 20 */
  readonly throttleBurstLimit?: number;
  /** Browser origins allowed by CORS, for example `https://app.example.com`. @default none: no CORS */
  readonly allowedOrigins?: string[];
  /** Put an AWS WAF web ACL (AWS managed common and known-bad-input rules, a rate limit) in front. @default false */
  readonly waf?: boolean;
  /** Log the question (debug only; it may hold personal data). @default false */
  readonly debugLogging?: boolean;
  /** Retention of the handler, access and execution logs (never INFINITE). @default one year */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Set the account's API Gateway CloudWatch Logs role (AWS::ApiGateway::Account, retained on
   * delete). API Gateway refuses stage logging, access logs included, in a region whose account has
   * no such role; pass false where the account already has one.
   * @default true
   */
  readonly accountCloudWatchRole?: boolean;
  /**
   * Trace the handler with AWS X-Ray (active tracing), as the stage already is, so a slow answer
   * shows whether the retriever or the endpoint took the time.
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * Reserve this many concurrent executions for the handler (an upper bound too). Lambda keeps at
   * least 100 executions of the account's quota unreserved, so a reservation fails to deploy in an
   * account whose quota is still the new-account default of 10.
   * @default none: the stage throttle bounds invocations
   */
  readonly reservedConcurrentExecutions?: number;
}

/** API Gateway's integration timeout for a REST API (the default quota). */
const INTEGRATION_TIMEOUT = Duration.seconds(29);
/**
 * The function's timeout, below the integration's: API Gateway counts the Lambda cold start in its
 * 29 s, the function's own clock does not, and the handler must answer (503 included) first.
 */
const FUNCTION_TIMEOUT = Duration.seconds(25);
const STAGE_NAME = 'v1';
/**
 * The legacy security policy `TLS_1_2`: TLS 1.2 or later on the default execute-api endpoint (API
 * Gateway guide, "Security policies for REST APIs"; the enhanced `SecurityPolicy_*` ones also need an
 * endpoint access mode). aws-cdk-lib's RestApi L2 does not expose it, so it is set on the L1.
 */
const API_SECURITY_POLICY = 'TLS_1_2';

/**
 * An authenticated, throttled HTTP API that answers a question from retrieved passages with an LLM
 * on SageMaker: API Gateway (REST, request validation, usage plan, access logs, optional WAF and
 * CORS) in front of a Lambda function that runs the LangChain retrieval chain.
 */
export class RagApi extends Construct {
  /** The REST API, for resources, gateway responses or settings this construct does not expose. */
  public readonly api: apigw.RestApi;
  /** The API's `v1` stage (throttling, logging, tracing). */
  public readonly stage: apigw.Stage;
  /** `POST /ask`, the API's one method. */
  public readonly method: apigw.Method;
  /** The usage plan that carries the stage throttle for API keys an operator adds (`usagePlan.addApiKey(...)`). */
  public readonly usagePlan: apigw.IUsagePlan;
  /** The Lambda function that runs the retrieval chain. */
  public readonly handler: lambda.IFunction;
  /** POST here with `{"question": ..., "history"?: [...]}`. */
  public readonly url: string;
  /**
   * The stage's execution log group, `API-Gateway-Execution-Logs_{restApiId}/v1`, created by the
   * stack (retention, KMS) before the stage, so API Gateway does not create one that keeps logs forever.
   */
  public readonly executionLogGroup: logs.ILogGroup;
  /** The longest question the API accepts, in characters (`maxQuestionLength`). */
  public readonly maxQuestionLength: number;
  /** The most chat-history turns the API accepts (`maxHistoryTurns`). */
  public readonly maxHistoryTurns: number;
  /** The most characters of chat history the API accepts, all turns together (`maxHistoryChars`). */
  public readonly maxHistoryChars: number;

  constructor(scope: Construct, id: string, props: RagApiProps) {
    super(scope, id);
    validate(props);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.maxQuestionLength = props.maxQuestionLength ?? CONFIG_DEFAULTS.maxQuestionChars;
    this.maxHistoryTurns = props.maxHistoryTurns ?? CONFIG_DEFAULTS.maxHistoryTurns;
    this.maxHistoryChars = props.maxHistoryChars ?? CONFIG_DEFAULTS.maxHistoryChars;

    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: this.logsKey() });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'RAG API handler: query the retriever, invoke the endpoint, write its logs',
    });
    handlerLogs.grantWrite(role);

    this.handler = new lambda.Function(this, 'Handler', {
      code: lambda.Code.fromAsset(handlerAssetDir()),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: FUNCTION_TIMEOUT,
      role,
      logGroup: handlerLogs,
      tracing: props.tracing === false ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        ENDPOINT_NAME: props.endpoint.endpointName,
        TOP_K: String(props.topK ?? CONFIG_DEFAULTS.topK),
        MAX_NEW_TOKENS: String(props.maxNewTokens ?? CONFIG_DEFAULTS.maxNewTokens),
        TEMPERATURE: String(props.temperature ?? CONFIG_DEFAULTS.temperature),
        MAX_QUESTION_CHARS: String(this.maxQuestionLength),
        MAX_HISTORY_TURNS: String(this.maxHistoryTurns),
        MAX_HISTORY_CHARS: String(this.maxHistoryChars),
        DEBUG_LOGGING: String(props.debugLogging ?? false),
        ...(props.allowedOrigins?.length ? { CORS_ORIGINS: props.allowedOrigins.join(',') } : {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // The function this constructor just created: its environment takes the retriever's settings.
    const handlerFunction = this.handler as lambda.Function;
    for (const [k, v] of Object.entries(props.retriever.bind(this.handler).environment)) handlerFunction.addEnvironment(k, v);
    props.endpoint.grantInvoke(this.handler);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: this.logsKey() });
    const rate = props.throttleRateLimit ?? 10;
    const burst = props.throttleBurstLimit ?? 20;
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Retrieval-augmented question answering',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: props.accountCloudWatchRole ?? true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        // Execution logs of errors only: no request or response bodies (they hold the question).
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: rate,
        throttlingBurstLimit: burst,
        tracingEnabled: true,
      },
      defaultCorsPreflightOptions: props.allowedOrigins?.length ? {
        allowOrigins: props.allowedOrigins,
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Authorization', 'X-Amz-Date', 'X-Amz-Security-Token'],
      } : undefined,
    });
    // The L2 adds an `Endpoint` output of its own; outputs are the caller's choice (addOutputs()).
    this.api.node.tryRemoveChild('Endpoint');
    (this.api.node.defaultChild as apigw.CfnRestApi).securityPolicy = API_SECURITY_POLICY;
    this.executionLogGroup = this.createExecutionLogGroup(retention);
    const model = this.api.addModel('QuestionModel', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        type: apigw.JsonSchemaType.OBJECT,
        required: ['question'],
        properties: {
          question: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: this.maxQuestionLength },
          history: {
            type: apigw.JsonSchemaType.ARRAY,
            maxItems: this.maxHistoryTurns,
            items: {
              type: apigw.JsonSchemaType.OBJECT,
              required: ['role', 'content'],
              properties: {
                role: { type: apigw.JsonSchemaType.STRING, enum: ['user', 'assistant'] },
                content: { type: apigw.JsonSchemaType.STRING },
              },
            },
          },
        },
      },
    });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.method = this.api.root.addResource('ask').addMethod('POST', new apigw.LambdaIntegration(this.handler, { timeout: INTEGRATION_TIMEOUT }), {
      ...props.authorization._methodOptions(this),
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });
    // The stage throttle applies to every caller; the usage plan carries the same limits for the API
    // keys an operator may add to it later (a plan throttles only requests that present a key).
    const plan = this.usagePlan = this.api.addUsagePlan('UsagePlan', { description: 'RAG API throttling', throttle: { rateLimit: rate, burstLimit: burst } });
    plan.addApiStage({ stage: this.api.deploymentStage });
    this.stage = this.api.deploymentStage;
    this.url = this.api.urlForPath('/ask');
    // API Gateway's own answers (validation 400, auth 403, throttling 429, timeouts) come without
    // the Lambda's CORS header unless the gateway responses carry it; a browser needs a single origin here.
    const corsOrigin = props.allowedOrigins?.length === 1 ? props.allowedOrigins[0] : undefined;
    const corsHeaders = corsOrigin ? { 'Access-Control-Allow-Origin': `'${corsOrigin}'`, Vary: "'Origin'" } : undefined;
    this.api.addGatewayResponse('BadRequestBody', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      responseHeaders: corsHeaders,
      templates: { 'application/json': '{"message": "$context.error.validationErrorString"}' },
    });
    if (corsHeaders) {
      this.api.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: corsHeaders });
      this.api.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: corsHeaders });
    }

    if (props.waf) this.addWaf(rate, retention);
    this.acknowledge(props);
  }

  /** Permits an IAM principal to call the API (with IAM authorization). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.method.methodArn] });
  }

  /** Stack outputs: the API URL and a signed request example. */
  public addOutputs(): void {
    new CfnOutput(this, 'Url', { description: 'POST {"question": "..."} here', value: this.url });
    new CfnOutput(this, 'SignedRequestExample', {
      description: 'A SigV4-signed request with your AWS credentials (curl 7.75 or later)',
      value: this.signedRequestExample,
    });
  }

  /** A curl (7.75 or later) command that asks one question, signed with SigV4 from the caller's AWS credentials. */
  public get signedRequestExample(): string {
    return `curl -sS --aws-sigv4 "aws:amz:${Aws.REGION}:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" `
      + `-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H 'content-type: application/json' `
      + `-d '{"question": "What is in our documents?"}' ${this.url}`;
  }

  private createExecutionLogGroup(retention: logs.RetentionDays): logs.LogGroup {
    // API Gateway writes execution logs to this name and creates the group itself, without
    // retention, unless it exists (API Gateway guide, "Execution logging for REST APIs").
    const logGroupName = `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`;
    const group = new logs.LogGroup(this, 'ExecutionLogs', { logGroupName, retention, encryptionKey: this.logsKey(), removalPolicy: RemovalPolicy.RETAIN });
    this.api.deploymentStage.node.addDependency(group);
    return group;
  }

  private addWaf(rate: number, retention: logs.RetentionDays): void {
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name, priority, overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'rag-api', sampledRequestsEnabled: true },
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'RateLimitPerIp',
          priority: 3,
          action: { block: {} },
          // WAF rate rules count over 5 minutes; allow each IP the API's own rate for that window.
          statement: { rateBasedStatement: { limit: Math.max(100, rate * 300), aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RateLimitPerIp', sampledRequestsEnabled: true },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: acl.attrArn });
    this.logWaf(acl, retention);
  }

  /** WAF request logs in a KMS-encrypted log group, without the callers' credentials. */
  private logWaf(acl: wafv2.CfnWebACL, retention: logs.RetentionDays): void {
    // WAF logs only to destinations whose name starts with aws-waf-logs- (WAF API reference, LoggingConfiguration).
    const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(acl, { maxLength: 128, separator: '-' })}`;
    // Deleted with the stack: the name is fixed, so a retained group would make the next deploy fail on it.
    const wafLogs = new logs.LogGroup(this, 'WafLogs', { logGroupName, retention, removalPolicy: RemovalPolicy.DESTROY, encryptionKey: this.logsKey() });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      // The log group ARN without the ':*' suffix of logGroupArn, as WAF expects it.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      // SigV4 signatures, session tokens and Cognito tokens stay out of the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'x-amz-security-token' } }],
    });
    logging.node.addDependency(wafLogs);
  }

  private acknowledge(props: RagApiProps): void {
    const v = Validations.of(this);
    if (props.accountCloudWatchRole ?? true) {
      v.acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-level API Gateway logging role uses the AWS managed policy the API Gateway guide prescribes for it; it only writes CloudWatch Logs.',
      });
    }
    if (!props.waf) {
      v.acknowledge({ id: 'AwsSolutions-APIG3', reason: 'WAF is optional (waf: true); the API is authenticated and throttled at the stage.' });
    }
    if (props.authorization instanceof IamAuthorization) {
      v.acknowledge({ id: 'AwsSolutions-COG4', reason: 'The API uses IAM (SigV4) authorization instead of a Cognito user pool.' });
    }
    this.acknowledgeNist(props);
  }

  /** The NIST 800-53 R5 findings that do not apply to this API, each on the resource it fires on. */
  private acknowledgeNist(props: RagApiProps): void {
    const stage = this.api.deploymentStage;
    if (!props.waf) {
      Validations.of(stage).acknowledge({ id: 'NIST.800.53.R5-APIGWAssociatedWithWAF', reason: 'WAF is optional (waf: true); the API is authenticated and throttled at the stage.' });
    }
    Validations.of(stage).acknowledge(
      {
        id: 'NIST.800.53.R5-APIGWSSLEnabled',
        reason: 'The only integration is a Lambda proxy; API Gateway client certificates authenticate API Gateway to HTTP backends, which this API has none of.',
      },
      {
        id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
        reason: 'The one method is POST /ask, whose answers depend on the question and history in the body; a cache would serve other callers\' answers and hold question text.',
      },
    );
    Validations.of(this.handler).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: 'API Gateway invokes the handler synchronously and returns its errors to the caller; a dead-letter queue only receives failed asynchronous invocations.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: 'The handler reaches only its retriever (the Kendra or Bedrock Agent Runtime API) and the SageMaker Runtime API, over TLS with SigV4; it has no VPC resource to reach, and a VPC would need interface endpoints or a NAT for both.',
      },
    );
    if (props.reservedConcurrentExecutions === undefined) {
      Validations.of(this.handler).acknowledge({
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'Reserved concurrency is opt-in (reservedConcurrentExecutions): the stage throttle (throttleRateLimit, throttleBurstLimit) bounds invocations, and a reservation must leave the account 100 unreserved executions, so it fails to deploy in accounts whose Lambda quota is still the new-account 10.',
      });
    }
    if (props.tracing !== false) {
      // X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN (Service Authorization Reference, AWS X-Ray).
      Validations.of(this.handler.role ?? this).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      });
    }
    Validations.of(this.handler.role ?? this).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The handler role is this API\'s alone: its grants are scoped to this retriever, endpoint and log group and live and die with the role; a managed policy would be reusable by other principals.',
    });
  }

  /** One key for this API's log groups (handler and access logs). */
  private logsKey(): kms.IKey {
    return (this.node.tryFindChild('LogsKey') as kms.IKey | undefined) ?? logsKey(this, 'LogsKey', 'RAG API handler and access logs');
  }
}

function validate(props: RagApiProps | undefined): void {
  if (typeof props !== 'object' || props === null) {
    throw new Error('RagApi: props are required: { retriever, endpoint, authorization }');
  }
  const errors = new PropErrors('RagApi');
  const raw = props as unknown as Record<string, unknown>;
  if (!(props.authorization instanceof RagApiAuthorization)) {
    errors.addMessage(`authorization: ${props.authorization === undefined ? 'required' : `${describe(raw.authorization)} is not allowed`}; `
      + 'use RagApiAuthorization.iam() or RagApiAuthorization.cognito(userPool) (the API is never open)');
  }
  const retriever = raw.retriever as { bind?: unknown } | undefined;
  if (typeof retriever !== 'object' || retriever === null || typeof retriever.bind !== 'function') {
    errors.addMessage(`retriever: ${retriever === undefined ? 'required' : `${describe(retriever)} is not a retriever`}; use a KendraIndex or KendraIndex.fromIndexId(scope, id, indexId)`);
  }
  const endpoint = raw.endpoint as { endpointName?: unknown; grantInvoke?: unknown } | undefined;
  if (typeof endpoint !== 'object' || endpoint === null || typeof endpoint.endpointName !== 'string' || typeof endpoint.grantInvoke !== 'function') {
    errors.addMessage(`endpoint: ${endpoint === undefined ? 'required' : `${describe(endpoint)} is not a SageMaker endpoint`}; use an LmiEndpoint or an imported sagemaker.IEndpoint`);
  }
  for (const name of ['topK', 'maxNewTokens', 'temperature', 'maxQuestionLength', 'maxHistoryTurns', 'maxHistoryChars', 'throttleRateLimit', 'throttleBurstLimit', 'reservedConcurrentExecutions']) {
    if (raw[name] !== undefined && typeof raw[name] !== 'number') errors.add(name, raw[name], 'must be a number');
  }
  for (const name of ['waf', 'debugLogging', 'accountCloudWatchRole', 'tracing']) {
    if (raw[name] !== undefined && typeof raw[name] !== 'boolean') errors.add(name, raw[name], 'must be true or false');
  }
  errors.addMessage(logRetentionProblem('logRetention', raw.logRetention));
  if (props.allowedOrigins !== undefined && (!Array.isArray(props.allowedOrigins) || props.allowedOrigins.some((o) => typeof o !== 'string'))) {
    errors.add('allowedOrigins', raw.allowedOrigins, "must be an array of origins such as ['https://app.example.com']");
    throw errors.toError();
  }
  const check = (name: string, value: number | undefined, min: number, max: number, integer = true) => {
    if (typeof value !== 'number' || Token.isUnresolved(value)) return;
    if ((integer && !Number.isInteger(value)) || value < min || value > max) {
      errors.addMessage(`${name}: ${value} must be ${integer ? 'a whole number ' : ''}from ${min} to ${max}`);
    }
  };
  // The handler's own table: what the construct accepts, the function accepts.
  const range = INTEGER_SETTINGS;
  check('topK', props.topK, range.topK.min, range.topK.max);
  check('maxNewTokens', props.maxNewTokens, range.maxNewTokens.min, range.maxNewTokens.max);
  check('temperature', props.temperature, TEMPERATURE.min, TEMPERATURE.max, false);
  check('maxQuestionLength', props.maxQuestionLength, range.maxQuestionChars.min, range.maxQuestionChars.max);
  check('maxHistoryTurns', props.maxHistoryTurns, range.maxHistoryTurns.min, range.maxHistoryTurns.max);
  check('maxHistoryChars', props.maxHistoryChars, range.maxHistoryChars.min, range.maxHistoryChars.max);
  check('throttleRateLimit', props.throttleRateLimit, 1, 10000, false);
  check('throttleBurstLimit', props.throttleBurstLimit, 1, 5000);
  const reserved = props.reservedConcurrentExecutions;
  if (typeof reserved === 'number' && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
    errors.addMessage(`reservedConcurrentExecutions: ${reserved} must be a whole number of at least 1 (and at most the account's concurrency quota less 100)`);
  }
  for (const origin of props.allowedOrigins ?? []) {
    if (origin === '*' || !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      errors.addMessage(`allowedOrigins: '${origin}' must be one origin such as https://app.example.com (no '*', no path)`);
    }
  }
  errors.throwIfAny();
}
