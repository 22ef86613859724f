import * as fs from 'fs';
import * as path from 'path';
import { CfnParameter, Duration, type App, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import {
  ChatLanguage, KendraIndex, RagApi, RagApiAuthorization, type RagApiProps, RagChatUserPool, RagChatWebsite, type RagChatUserPoolProps, type RagChatWebsiteProps,
} from '../../constructs';
import { unusedNagAcknowledgements } from '../util/nag-audit';
import { STAGE_ASSETS, templateOf, testStack } from '../util/synth';

const ENDPOINT_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/falcon';
const endpoint = {
  endpointName: 'falcon',
  endpointArn: ENDPOINT_ARN,
  endpointRef: { endpointArn: ENDPOINT_ARN },
  grantInvoke: (grantee: iam.IGrantable) => iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [ENDPOINT_ARN] }),
} as unknown as sagemaker.IEndpoint;

/** GIVEN a stack with a user pool and a RagApi with Cognito (or the given) authorization. */
function given(authorization?: (pool: cognito.IUserPool) => RagApiAuthorization, limits: Partial<Pick<RagApiProps, 'maxQuestionLength' | 'maxHistoryTurns' | 'maxHistoryChars'>> = {}) {
  // Staged: the tests read the deployed page and config.json from the cloud assembly.
  const { stack } = testStack(undefined, STAGE_ASSETS);
  const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_abcdefghi');
  const rag = new RagApi(stack, 'Rag', {
    retriever: KendraIndex.fromIndexId(stack, 'Index', '0123abcd-4567-89ef-0123-456789abcdef'),
    endpoint,
    authorization: (authorization ?? RagApiAuthorization.cognito)(userPool),
    ...limits,
  });
  return { stack, userPool, rag };
}

function website(props: Partial<RagChatWebsiteProps> = {}) {
  const g = given();
  const site = new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: g.userPool, ...props });
  return { ...g, site };
}

function behavior(template: Template, pattern: string): Record<string, unknown> {
  const dist = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: { CacheBehaviors: Array<Record<string, unknown>> } } };
  const found = dist.Properties.DistributionConfig.CacheBehaviors.find((b) => b.PathPattern === pattern);
  if (!found) throw new Error(`no behavior ${pattern}`);
  return found;
}

/**
 * The config.json the deployment writes: the staged jsonData asset, with its deploy-time markers. A
 * deploy-time number is an unquoted marker, which leaves the text unparseable: `config` parses it when read.
 */
function deployedConfig(stack: Stack, template: Template): { config: Record<string, unknown>; text: string; markers: Record<string, unknown> } {
  const props = (Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as { Properties: { SourceObjectKeys: string[]; SourceMarkers: Array<Record<string, unknown>> } }).Properties;
  const index = props.SourceMarkers.findIndex((m) => Object.keys(m).length > 0);
  const dir = path.join((stack.node.root as App).outdir, `asset.${props.SourceObjectKeys[index].replace(/\.zip$/, '')}`);
  const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf-8');
  return { get config() { return JSON.parse(text) as Record<string, unknown>; }, text, markers: props.SourceMarkers[index] };
}

describe('RagChatWebsite defaults', () => {
  let template: Template;
  let stack: Stack;
  let site: RagChatWebsite;
  beforeAll(() => {
    ({ stack, site } = website());
    template = templateOf(stack);
  });

  test('the page bucket is KMS-encrypted, private, TLS only, versioned and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('CloudFront reads the bucket through origin access control, serves index.html over HTTPS, logs to a bucket', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        HttpVersion: 'http2and3',
        Logging: Match.objectLike({ Bucket: Match.anyValue(), Prefix: 'cloudfront/' }),
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          // CachingOptimized
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Origins: Match.arrayWith([Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })]),
      }),
    });
  });

  test('the API is a second behavior at the stage path: HTTPS, all methods, no caching, every header but Host', () => {
    expect(behavior(template, '/v1/*')).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([Match.objectLike({
          DomainName: { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('RagApi') }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
          CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 35 }),
        })]),
      }),
    });
    expect(site.apiPath).toBe('/v1/ask');
  });

  test('the response headers: CSP with connect-src self and the Cognito domain, HSTS, DENY, nosniff, no-referrer', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: {
            ContentSecurityPolicy: {
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' https://")])],
            },
            Override: true,
          },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      }),
    });
    const policy = JSON.stringify(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policy).toContain(".auth.");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  test('a public app client: code flow with PKCE (no secret), callback and sign-out on the distribution, 1 h tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: 'us-east-1_abcdefghi',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatDistribution'), 'DomainName'] }, '/']] }],
      LogoutURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatDistribution'), 'DomainName'] }, '/']] }],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 60,
    });
  });

  test('a Cognito domain with managed login, its branding, a default prefix unique to the account', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: 'us-east-1_abcdefghi',
      ManagedLoginVersion: 2,
      Domain: { 'Fn::Join': ['-', ['rag-chat', { Ref: 'AWS::AccountId' }, Match.stringLikeRegexp('^[a-z0-9]{8}$')]] },
    });
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true, ClientId: Match.anyValue() });
  });

  test('the page and config.json (region, pool, client, Cognito domain, API path, title, language, API limits) are deployed, no-cache', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SourceObjectKeys: Match.arrayWith([Match.stringLikeRegexp('\\.zip$')]),
      SystemMetadata: { 'cache-control': 'no-cache' },
      Prune: true,
    });
    const { config, markers } = deployedConfig(stack, template);
    expect(config).toEqual({
      region: '<<marker:0xbaba:0>>',
      userPoolId: 'us-east-1_abcdefghi',
      clientId: '<<marker:0xbaba:1>>',
      cognitoDomain: 'https://<<marker:0xbaba:2>>.auth.<<marker:0xbaba:3>>.amazoncognito.com',
      apiPath: '/v1/ask',
      title: 'RAG チャット',
      defaultLanguage: 'ja',
      maxQuestionLength: 1000,
      maxHistoryTurns: 10,
      maxHistoryChars: 8000,
    });
    expect(markers).toEqual({
      '<<marker:0xbaba:0>>': { Ref: 'AWS::Region' },
      '<<marker:0xbaba:1>>': { Ref: expect.stringMatching(/^ChatClient/) },
      '<<marker:0xbaba:2>>': { Ref: expect.stringMatching(/^ChatCognitoDomain/) },
      '<<marker:0xbaba:3>>': { Ref: 'AWS::Region' },
    });
    // No invalidation: the deployment function has no CloudFront permission.
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('cloudfront:');
  });

  test('the deployment function logs to a KMS-encrypted group kept one year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
  });

  test('the default certificate, no WAF, no geo restriction: no aliases, no web ACL', () => {
    const config = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: Record<string, unknown> } }).Properties.DistributionConfig;
    expect(config.Aliases).toBeUndefined();
    expect(config.WebACLId).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.Restrictions).toBeUndefined();
  });

  test('every acknowledgement matches a cdk-nag finding that fires', () => {
    expect(unusedNagAcknowledgements(stack)).toEqual([]);
  });

  test('matches its snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('addOutputs adds the page URL; nothing is output unasked', () => {
    expect(Object.keys(template.toJSON().Outputs ?? {})).toEqual([]);
    const { stack: s2, site: site2 } = website();
    site2.addOutputs();
    const outputs = templateOf(s2).findOutputs('*');
    expect(Object.keys(outputs)).toEqual([expect.stringMatching(/^ChatUrl/)]);
    expect(Object.values(outputs)[0].Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^ChatDistribution/), 'DomainName'] }]] });
  });
});

describe('RagChatWebsite props', () => {
  test('custom domain and certificate, WAF, geo restriction, title, English, session length, domain prefix, log retention', () => {
    const g = given();
    const certificate = acm.Certificate.fromCertificateArn(g.stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
    const webAclArn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/chat/abcd-1234';
    const site = new RagChatWebsite(g.stack, 'Chat', {
      api: g.rag, userPool: g.userPool, domainName: 'chat.example.com', certificate, webAclArn,
      geoRestriction: cloudfront.GeoRestriction.allowlist('JP'), title: 'Docs Q&A', defaultLanguage: ChatLanguage.ENGLISH,
      sessionDuration: Duration.hours(8), cognitoDomainPrefix: 'acme-docs-chat', logRetention: logs.RetentionDays.ONE_MONTH,
    });
    const t = templateOf(g.stack);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['chat.example.com'],
        WebACLId: webAclArn,
        ViewerCertificate: { AcmCertificateArn: certificate.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
        Restrictions: { GeoRestriction: { Locations: ['JP'], RestrictionType: 'whitelist' } },
      }),
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://chat.example.com/'], LogoutURLs: ['https://chat.example.com/'], IdTokenValidity: 480, RefreshTokenValidity: 480,
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-docs-chat' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(deployedConfig(g.stack, t).config).toMatchObject({ title: 'Docs Q&A', defaultLanguage: 'en' });
    expect(site.url).toBe('https://chat.example.com');
    expect(unusedNagAcknowledgements(g.stack)).toEqual([]);
  });
});

test('config.json carries the RagApi\'s own question and history limits', () => {
  const g = given(undefined, { maxQuestionLength: 500, maxHistoryTurns: 4, maxHistoryChars: 3000 });
  new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: g.userPool });
  expect(deployedConfig(g.stack, templateOf(g.stack)).config).toMatchObject({ maxQuestionLength: 500, maxHistoryTurns: 4, maxHistoryChars: 3000 });
  expect([g.rag.maxQuestionLength, g.rag.maxHistoryTurns, g.rag.maxHistoryChars]).toEqual([500, 4, 3000]);
});

test('a limit given as a deploy-time number (a parameter) goes into config.json as a JSON number', () => {
  const { stack } = testStack(undefined, STAGE_ASSETS);
  const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_abcdefghi');
  const turns = new CfnParameter(stack, 'Turns', { type: 'Number', default: 4 }).valueAsNumber;
  const rag = new RagApi(stack, 'Rag', {
    retriever: KendraIndex.fromIndexId(stack, 'Index', '0123abcd-4567-89ef-0123-456789abcdef'), endpoint, authorization: RagApiAuthorization.cognito(userPool), maxHistoryTurns: turns,
  });
  new RagChatWebsite(stack, 'Chat', { api: rag, userPool });
  const { text, markers } = deployedConfig(stack, templateOf(stack));
  // The deployment replaces the marker with the parameter's value: unquoted, it is a number.
  const marker = /"maxHistoryTurns":(<<marker:0xbaba:\d+>>)[,}]/.exec(text)?.[1];
  expect(marker).toBeDefined();
  expect(markers[marker!]).toEqual({ Ref: 'Turns' });
});

describe('RagChatWebsite errors', () => {
  test('throws when the API uses IAM authorization, and says why', () => {
    const g = given(() => RagApiAuthorization.iam());
    expect(() => new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: g.userPool }))
      .toThrow(/api: POST \/ask uses IAM authorization; the page needs RagApiAuthorization.cognito\(userPool\): a browser .* identity pool/);
  });

  test('fails synthesis when userPool is not the pool the API\'s authorizer accepts', () => {
    const g = given();
    const other = cognito.UserPool.fromUserPoolId(g.stack, 'Other', 'us-east-1_zzzzzzzzz');
    new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: other });
    expect(() => templateOf(g.stack)).toThrow(/userPool: the API's Cognito authorizer does not accept this pool's tokens/);
  });

  test('throws when api or userPool is missing or not one', () => {
    const g = given();
    expect(() => new RagChatWebsite(g.stack, 'Chat', {} as RagChatWebsiteProps)).toThrow(/api: required.*\n- userPool: required/s);
    expect(() => new RagChatWebsite(g.stack, 'Chat2', { api: 'x', userPool: 'y' } as unknown as RagChatWebsiteProps))
      .toThrow(/api: 'x' is not a RagApi[\s\S]*userPool: 'y' is not a user pool/);
    expect(() => new RagChatWebsite(g.stack, 'Chat3', { api: g.rag.api, userPool: g.userPool } as unknown as RagChatWebsiteProps))
      .toThrow(/api: object is not a RagApi; pass the RagApi itself \(not its `api`\)/);
  });

  test.each<[string, Partial<RagChatWebsiteProps>, RegExp]>([
    ['a bad domain prefix', { cognitoDomainPrefix: 'My_Chat' }, /cognitoDomainPrefix: 'My_Chat' must be 1 to 63 lowercase/],
    ['a reserved word in the prefix', { cognitoDomainPrefix: 'aws-chat' }, /cognitoDomainPrefix: 'aws-chat' .* without 'aws'/],
    ['a domain name with a scheme', { domainName: 'https://chat.example.com', certificate: {} as acm.ICertificate }, /domainName: 'https:\/\/chat.example.com' must be a host name/],
    ['a domain name without a certificate', { domainName: 'chat.example.com' }, /domainName: 'chat.example.com' needs certificate/],
    ['a certificate without a domain name', { certificate: {} as acm.ICertificate }, /certificate: given without domainName/],
    ['a REGIONAL web ACL', { webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/chat/abcd' }, /webAclArn: 'arn:aws:wafv2:eu-west-1.*' must be the ARN of a CLOUDFRONT-scope web ACL/],
    ['an empty title', { title: ' ' }, /title: ' ' must be 1 to 100 characters/],
    ['an unknown language', { defaultLanguage: 'fr' as ChatLanguage }, /defaultLanguage: 'fr' is not allowed; use ChatLanguage.JAPANESE \('ja'\) or ChatLanguage.ENGLISH \('en'\)/],
    ['a session of 2 days', { sessionDuration: Duration.days(2) }, /sessionDuration: 2 days must be from 5 minutes to 1 day/],
    ['infinite log retention', { logRetention: logs.RetentionDays.INFINITE }, /logRetention: 9999 is not a logs.RetentionDays value/],
  ])('throws on %s', (_, props, message) => {
    const g = given();
    expect(() => new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: g.userPool, ...props })).toThrow(message);
  });

  test('throws when the certificate is not in us-east-1', () => {
    const g = given();
    const certificate = acm.Certificate.fromCertificateArn(g.stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
    expect(() => new RagChatWebsite(g.stack, 'Chat', { api: g.rag, userPool: g.userPool, domainName: 'chat.example.com', certificate }))
      .toThrow(/certificates must be in the us-east-1 region and the certificate you provided is in eu-west-1/);
  });
});

describe('RagChatUserPool', () => {
  test('mfaRequired: false makes MFA optional; threatProtection: false is the Essentials plan without threat protection', () => {
    const { stack } = testStack();
    new RagChatUserPool(stack, 'Users', { mfaRequired: false, threatProtection: false });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent() });
    // Each opt-out's acknowledgement matches a finding that really fires.
    expect(unusedNagAcknowledgements(stack)).toEqual([]);
  });

  test('throws when a switch is not a boolean', () => {
    const { stack } = testStack();
    expect(() => new RagChatUserPool(stack, 'Users', { mfaRequired: 'yes' } as unknown as RagChatUserPoolProps)).toThrow(/mfaRequired: 'yes' must be true or false/);
  });
});
