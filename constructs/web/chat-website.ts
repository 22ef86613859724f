import { Annotations, Aws, CfnOutput, Duration, Fn, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { logRetentionProblem, logsKey } from '../private/logs-key';
import { nagResourceFinding } from '../private/nag';
import { retainedBucket } from '../private/retained-bucket';
import { describe, PropErrors } from '../private/validation';
import type { RagApi } from '../rag/rag-api';
import { contentSecurityPolicy } from './csp';
import { chatPageDir } from './page-bundle';

/** The language the page opens in; the reader can switch it on the page. */
export enum ChatLanguage {
  /** 日本語 (the talk's language). */
  JAPANESE = 'ja',
  ENGLISH = 'en',
}

/** Properties of a {@link RagChatWebsite}. */
export interface RagChatWebsiteProps {
  /**
   * The RAG API to chat with, built with `RagApiAuthorization.cognito(userPool)`. Its POST method is
   * served under the distribution at the stage's path (`/v1/ask`); its question and history limits
   * (`maxQuestionLength`, `maxHistoryTurns`, `maxHistoryChars`) go to the page, which keeps to them.
   */
  readonly api: RagApi;
  /** The user pool whose tokens the API's Cognito authorizer accepts; the page signs users in to it. */
  readonly userPool: cognito.IUserPool;
  /**
   * Prefix of the Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`) that hosts the
   * managed login: 1 to 63 lowercase letters, digits and hyphens, unique in the region, without
   * `aws`, `amazon` or `cognito`. A user pool has at most one prefix domain.
   * @default `rag-chat-<account>-<8 characters unique to this construct>`
   */
  readonly cognitoDomainPrefix?: string;
  /** A custom domain name for the page, such as `chat.example.com` (point its DNS at the distribution). @default the distribution's cloudfront.net name */
  readonly domainName?: string;
  /** The ACM certificate of `domainName`, in us-east-1 (CloudFront's requirement). Required with `domainName`. @default none */
  readonly certificate?: acm.ICertificate;
  /**
   * The ARN of an AWS WAF web ACL with the CLOUDFRONT scope (created in us-east-1), such as
   * `arn:aws:wafv2:us-east-1:123456789012:global/webacl/chat/…`.
   * @default no web ACL
   */
  readonly webAclArn?: string;
  /** Countries that may (or may not) load the page: `cloudfront.GeoRestriction.allowlist('JP')`. @default no restriction */
  readonly geoRestriction?: cloudfront.GeoRestriction;
  /** The page's title and heading, 1 to 100 characters. @default 'RAG チャット' */
  readonly title?: string;
  /** The language the page opens in. @default ChatLanguage.JAPANESE */
  readonly defaultLanguage?: ChatLanguage;
  /** How long a sign-in lasts (the ID token's validity, 5 minutes to 1 day); then the page asks to sign in again. @default 1 hour */
  readonly sessionDuration?: Duration;
  /** Retention of the page deployment function's logs (never INFINITE). @default one year */
  readonly logRetention?: logs.RetentionDays;
}

/** CloudFront's TLS floor for viewers when a certificate of ours is attached (CloudFront guide, "Supported protocols and ciphers between viewers and CloudFront"). */
const VIEWER_TLS = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021;
const DEFAULT_TITLE = 'RAG チャット';
/** Cognito domain prefix: lowercase letters, digits, hyphens, 1 to 63, no reserved words (Cognito guide, "Using the Amazon Cognito prefix domain"). */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const CLOUDFRONT_WEB_ACL = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/;

/**
 * A chat page for a RAG API with Cognito authorization: the page (bundled TypeScript, no framework)
 * in a private KMS-encrypted bucket behind CloudFront with origin access control, the API under the
 * same distribution (no CORS), a strict response headers policy, a public Cognito app client with
 * the authorization-code flow and PKCE, a Cognito domain with managed login, and the runtime
 * settings in `config.json` written next to the page at deploy time.
 */
export class RagChatWebsite extends Construct {
  public readonly distribution: cloudfront.Distribution;
  /** The bucket that holds the page (private, KMS, TLS only, retained). */
  public readonly bucket: s3.Bucket;
  /** The public app client the page signs in with. */
  public readonly userPoolClient: cognito.UserPoolClient;
  /** The Cognito domain of the managed login. */
  public readonly userPoolDomain: cognito.UserPoolDomain;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://` and the custom domain, else the distribution's domain name. */
  public readonly url: string;
  /** The API's path on the distribution, such as `/v1/ask`. */
  public readonly apiPath: string;

  constructor(scope: Construct, id: string, props: RagChatWebsiteProps) {
    super(scope, id);
    const method = validate(props);
    this.node.addValidation({ validate: () => samePoolProblems(method, props.userPool) });
    const restApi = props.api.api;
    // The stage's name as written (RagApi's 'v1'): `Stage.stageName` is a reference to the stage.
    const stageName = (restApi.deploymentStage.node.defaultChild as apigw.CfnStage).stageName ?? restApi.deploymentStage.stageName;
    this.apiPath = `/${stageName}${method.resource.path}`;

    this.userPoolDomain = new cognito.UserPoolDomain(this, 'CognitoDomain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.cognitoDomainPrefix ?? this.defaultDomainPrefix() },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const cognitoUrl = this.userPoolDomain.baseUrl();

    const key = new kms.Key(this, 'Key', { description: 'RAG chat page bucket', enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    this.bucket = retainedBucket(this, 'Bucket', key, 'chat-page/');
    const accessLogs = this.node.findChild('AccessLogs') as s3.Bucket;
    const cdnLogs = this.cloudFrontLogsBucket(accessLogs);

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'RAG chat page: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(cognitoUrl), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const apiStack = Stack.of(restApi);
    const apiOrigin = new origins.HttpOrigin(`${restApi.restApiId}.execute-api.${apiStack.region}.${apiStack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // Above API Gateway's 29 s integration timeout, so the API's own 504 reaches the page.
      readTimeout: Duration.seconds(35),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'RAG chat page and API',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate: props.certificate,
      minimumProtocolVersion: props.certificate ? VIEWER_TLS : undefined,
      webAclId: props.webAclArn,
      geoRestriction: props.geoRestriction,
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      additionalBehaviors: {
        [`/${stageName}/*`]: {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // With caching disabled, this managed policy forwards every viewer header, Authorization
          // included, but Host, which API Gateway needs to be its own (AWS re:Post knowledge center,
          // "cloudfront-authorization-header"; CloudFront guide, managed origin request policies).
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
        },
      },
    });
    this.url = `https://${props.domainName ?? this.distribution.distributionDomainName}`;

    this.userPoolClient = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: props.sessionDuration ?? Duration.hours(1),
      accessTokenValidity: props.sessionDuration ?? Duration.hours(1),
      // The page keeps no refresh token (tokens in memory only); Cognito's minimum is 60 minutes.
      refreshTokenValidity: Duration.minutes(Math.max(60, (props.sessionDuration ?? Duration.hours(1)).toMinutes())),
    });
    // The managed login (version 2) shows a client's pages only once it has a branding style.
    new cognito.CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: logsKey(this, 'LogsKey', 'RAG chat page deployment logs'),
    });
    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(chatPageDir()),
        s3deploy.Source.jsonData('config.json', {
          region: Stack.of(props.userPool).region,
          userPoolId: props.userPool.userPoolId,
          clientId: this.userPoolClient.userPoolClientId,
          cognitoDomain: cognitoUrl,
          apiPath: this.apiPath,
          title: props.title ?? DEFAULT_TITLE,
          defaultLanguage: props.defaultLanguage ?? ChatLanguage.JAPANESE,
          // The API refuses (400) a longer question or history; the page keeps to the same limits.
          maxQuestionLength: props.api.maxQuestionLength,
          maxHistoryTurns: props.api.maxHistoryTurns,
          maxHistoryChars: props.api.maxHistoryChars,
        }),
      ],
      // No invalidation (whose permission aws-cdk-lib grants on every distribution): with no-cache
      // objects CloudFront keeps them for the cache policy's minimum TTL only, 1 s for CachingOptimized
      // (CloudFormation reference, CachePolicyConfig: a minimum TTL above 0 overrides no-cache).
      cacheControl: [s3deploy.CacheControl.noCache()],
      logGroup: deploymentLogs,
      memoryLimit: 256,
    });
    this.acknowledge(props, deployment);
  }

  /** Stack outputs: the page's URL. */
  public addOutputs(): void {
    new CfnOutput(this, 'Url', { description: 'The chat page (sign in with a user of the user pool)', value: this.url });
  }

  private defaultDomainPrefix(): string {
    const unique = Names.uniqueId(this).toLowerCase().replace(/[^a-z0-9]/g, '').slice(-8);
    return Fn.join('-', ['rag-chat', Aws.ACCOUNT_ID, unique]);
  }

  /** CloudFront standard logs: an SSE-S3 bucket with ACLs, which legacy log delivery needs. */
  private cloudFrontLogsBucket(accessLogs: s3.Bucket): s3.Bucket {
    const bucket = new s3.Bucket(this, 'CdnLogs', {
      // CloudFront standard logging (legacy) writes with an ACL: the bucket must not enforce bucket-owner
      // ownership (CloudFront guide, "Permissions required to configure standard logging").
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'cdn-logs/',
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(90) }],
    });
    Validations.of(bucket).acknowledge(
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'CloudFront standard logs are delivered with the awslogsdelivery account\'s ACL grant; the bucket uses SSE-S3 so delivery needs no grant on a key.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Access logs are kept in the region of the stack; cross-region replication is the account owner\'s policy.',
      },
    );
    return bucket;
  }

  private acknowledge(props: RagChatWebsiteProps, deployment: s3deploy.BucketDeployment): void {
    const distribution = Validations.of(this.distribution);
    if (!props.domainName) {
      distribution.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without domainName the distribution uses the default *.cloudfront.net certificate, whose viewer TLS floor CloudFront fixes at TLSv1; pass domainName and certificate for the TLSv1.2_2021 policy.',
      });
    }
    if (!props.geoRestriction) {
      distribution.acknowledge({ id: 'AwsSolutions-CFR1', reason: 'Geo restriction is opt-in (geoRestriction); the page itself is public static files holding no data (config.json only names the public app client, pool and API path), and the API behind the same distribution answers only requests with a Cognito token.' });
    }
    if (!props.webAclArn) {
      distribution.acknowledge({ id: 'AwsSolutions-CFR2', reason: 'WAF is opt-in (webAclArn: a CLOUDFRONT-scope web ACL lives in us-east-1); the page is public static files served from the cache, and the API behind the same distribution is throttled at its stage and answers only requests with a Cognito token.' });
    }
    // The KMS key policy lets CloudFront (any distribution of this account) decrypt: a policy naming
    // this distribution would make the key, the bucket and the distribution depend on each other.
    Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      'The key policy is limited to this account\'s CloudFront distributions through the AWS:SourceArn condition; scoping it to one distribution ID would be a circular dependency.');
    this.acknowledgeDeploymentFunction(deployment);
  }

  /** aws-cdk-lib's BucketDeployment function (a singleton at stack scope), what its design makes cdk-nag report. */
  private acknowledgeDeploymentFunction(deployment: s3deploy.BucketDeployment): void {
    const fn = deployment.handlerRole.node.scope;
    if (!fn) return;
    const library = 'aws-cdk-lib\'s BucketDeployment (the page upload at deploy time)';
    // The bootstrap asset bucket's objects, as the grant names them: with a concrete environment
    // the ARN holds the literal partition, account and region, so the finding is rendered, not written.
    const assetObjects = new Set(deployment.node.children
      .filter((c): c is s3assets.Asset => c instanceof s3assets.Asset)
      .map((asset) => nagResourceFinding(this, asset.bucket.arnForObjects('*'))));
    Validations.of(fn).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${library}: the AWS managed policy only lets the function write its CloudWatch Logs.` },
      ...['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'].map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `${library}: its read grant on the CDK asset bucket and read-write grant on the page bucket and its key use these action groups; every statement names those resources.`,
      })),
      ...[...assetObjects].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: `${library}: it reads the page asset from the CDK bootstrap asset bucket.` })),
      { id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`, reason: `${library}: it writes and prunes the page's objects, all of this bucket.` },
      { id: 'AwsSolutions-L1', reason: `${library}: the function's Python runtime is the one aws-cdk-lib ships its handler for.` },
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: `${library}: its grants live in the function role's inline policy, scoped to the asset bucket, the page bucket and its key.` },
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: `${library}: CloudFormation invokes it once per deployment of the page.` },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: `${library}: CloudFormation invokes it as a custom resource and receives its failures; there is no asynchronous event to lose.` },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: `${library}: it reaches only S3 over TLS; the page bucket and the asset bucket are not in a VPC.` },
    );
  }
}

/**
 * The page signs users in to `userPool`; the API's authorizer must accept that pool's tokens, or every
 * question is a 401. Compared on the resolved template values once the tree is complete; skipped when
 * the authorizer is not found in the API's stack (then nothing here can tell).
 */
function samePoolProblems(method: apigw.Method, userPool: cognito.IUserPool): string[] {
  const stack = Stack.of(method);
  const ref = stack.resolve((method.node.defaultChild as apigw.CfnMethod).authorizerId) as { Ref?: string } | undefined;
  const authorizer = stack.node.findAll().find((c): c is apigw.CfnAuthorizer => c instanceof apigw.CfnAuthorizer
    && Stack.of(c) === stack && stack.resolve(c.logicalId) === ref?.Ref);
  if (!authorizer) return [];
  const accepted = JSON.stringify(stack.resolve(authorizer.providerArns ?? []));
  const pool = JSON.stringify(stack.resolve(userPool.userPoolArn));
  return accepted.includes(pool) ? [] : [
    `userPool: the API's Cognito authorizer does not accept this pool's tokens; pass the pool given to RagApiAuthorization.cognito(userPool)`,
  ];
}

function literal(value: unknown): value is string {
  return typeof value === 'string' && !Token.isUnresolved(value);
}

/** Checks the props; returns the API's POST /ask method. Every problem is reported at once. */
function validate(props: RagChatWebsiteProps | undefined): apigw.Method {
  if (typeof props !== 'object' || props === null) throw new Error('RagChatWebsite: props are required: { api, userPool }');
  const errors = new PropErrors('RagChatWebsite');
  const raw = props as unknown as Record<string, unknown>;
  let method: apigw.Method | undefined;
  if (!isRagApi(props.api)) {
    errors.addMessage(`api: ${props.api === undefined ? 'required' : `${describe(raw.api)} is not a RagApi`}; pass the RagApi itself (not its \`api\`)`);
  } else {
    method = props.api.method;
    const type = (method.node.defaultChild as apigw.CfnMethod).authorizationType;
    if (type !== apigw.AuthorizationType.COGNITO) {
      errors.addMessage(`api: POST ${method.resource.path} uses ${type === apigw.AuthorizationType.IAM ? 'IAM' : `'${type ?? 'NONE'}'`} authorization; `
        + 'the page needs RagApiAuthorization.cognito(userPool): a browser holds Cognito tokens, while IAM (SigV4) authorization '
        + 'would need AWS credentials from a Cognito identity pool, which this page does not use');
    }
  }
  const pool = raw.userPool as { userPoolId?: unknown } | undefined;
  if (typeof pool !== 'object' || pool === null || typeof pool.userPoolId !== 'string') {
    errors.addMessage(`userPool: ${pool === undefined ? 'required' : `${describe(pool)} is not a user pool`}; pass the pool of RagApiAuthorization.cognito(userPool)`);
  }
  const prefix = raw.cognitoDomainPrefix;
  if (prefix !== undefined) {
    if (typeof prefix !== 'string') {
      errors.add('cognitoDomainPrefix', prefix, 'must be a string');
    } else if (literal(prefix) && (!DOMAIN_PREFIX.test(prefix) || RESERVED_PREFIX_WORDS.some((w) => prefix.includes(w)))) {
      errors.addMessage(`cognitoDomainPrefix: '${prefix}' must be 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, without 'aws', 'amazon' or 'cognito'`);
    }
  }
  const domainName = raw.domainName;
  if (domainName !== undefined && !(typeof domainName === 'string' && (!literal(domainName) || HOSTNAME.test(domainName)))) {
    errors.add('domainName', domainName, 'must be a host name such as chat.example.com (no scheme, no path)');
  }
  if ((domainName === undefined) !== (props.certificate === undefined)) {
    errors.addMessage(domainName === undefined
      ? 'certificate: given without domainName; pass both (the certificate of the custom domain) or neither'
      : `domainName: ${describe(domainName)} needs certificate: an ACM certificate for it in us-east-1`);
  }
  // A certificate outside us-east-1 is refused by cloudfront.Distribution itself, naming both regions.
  const acl = raw.webAclArn;
  if (acl !== undefined && !(typeof acl === 'string' && (!literal(acl) || CLOUDFRONT_WEB_ACL.test(acl)))) {
    errors.add('webAclArn', acl, 'must be the ARN of a CLOUDFRONT-scope web ACL, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id> (a REGIONAL web ACL cannot protect CloudFront)');
  }
  const title = raw.title;
  if (title !== undefined && !(typeof title === 'string' && (!literal(title) || (title.trim().length >= 1 && Array.from(title).length <= 100)))) {
    errors.add('title', title, 'must be 1 to 100 characters');
  }
  const language = raw.defaultLanguage;
  if (language !== undefined && !Object.values(ChatLanguage).includes(language as ChatLanguage)) {
    errors.addMessage(`defaultLanguage: ${describe(language)} is not allowed; use ChatLanguage.JAPANESE ('ja') or ChatLanguage.ENGLISH ('en')`);
  }
  const session = props.sessionDuration;
  if (session !== undefined) {
    if (!(session instanceof Duration)) {
      errors.add('sessionDuration', session, 'must be a Duration, such as Duration.hours(1)');
    } else if (!session.isUnresolved() && (session.toSeconds() < 300 || session.toSeconds() > 86400)) {
      // Cognito's ID token validity: 5 minutes to 1 day (UserPoolClient API reference, IdTokenValidity).
      errors.addMessage(`sessionDuration: ${session.toHumanString()} must be from 5 minutes to 1 day (Cognito's ID token validity)`);
    }
  }
  errors.addMessage(logRetentionProblem('logRetention', raw.logRetention));
  errors.throwIfAny();
  return method as apigw.Method;
}

/** A RagApi by shape (its POST method and limits), so a construct from another copy of the library passes too. */
function isRagApi(api: unknown): api is RagApi {
  const candidate = api as Partial<RagApi> | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.method instanceof apigw.Method
    && typeof candidate.maxHistoryTurns === 'number' && typeof candidate.maxHistoryChars === 'number' && typeof candidate.maxQuestionLength === 'number';
}
