import { CfnParameter, type Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KendraIndex } from '../../constructs';
import { acknowledgeFixture } from '../util/nag-fixtures';
import { templateOf, testStack } from '../util/synth';

const INDEX_ID = '0123abcd-4567-89ef-0123-456789abcdef';
const INDEX_ARN = `arn:aws:kendra:eu-west-1:123456789012:index/${INDEX_ID}`;

/** A role that queries `index`, the way a team's own function would. */
function queryStatement(stack: Stack, grant: (role: iam.Role) => void): unknown {
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  acknowledgeFixture(role, 'NIST.800.53.R5-IAMNoInlinePolicy');
  grant(role);
  const policies = templateOf(stack).findResources('AWS::IAM::Policy');
  const statements = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement);
  return statements.find((st) => JSON.stringify(st).includes('kendra:Query'));
}

describe('KendraIndex.fromIndexId', () => {
  test('an existing index in the stack\'s account and region: ID, ARN, query grant and the handler\'s KENDRA_INDEX_ID', () => {
    const { stack } = testStack();
    const index = KendraIndex.fromIndexId(stack, 'Existing', INDEX_ID);
    expect(index.indexId).toBe(INDEX_ID);
    expect(stack.resolve(index.indexArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kendra:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:index/${INDEX_ID}`]],
    });
    const statement = queryStatement(stack, (role) => {
      expect(index.bind(role)).toEqual({ environment: { KENDRA_INDEX_ID: INDEX_ID } });
    });
    expect(statement).toEqual({ Action: ['kendra:Query', 'kendra:Retrieve'], Effect: 'Allow', Resource: stack.resolve(index.indexArn) });
  });

  test('takes a token such as a CloudFormation parameter', () => {
    const { stack } = testStack();
    const id = new CfnParameter(stack, 'IndexId').valueAsString;
    const index = KendraIndex.fromIndexId(stack, 'Existing', id);
    expect(stack.resolve(index.indexId)).toEqual({ Ref: 'IndexId' });
  });

  test('throws when the index id is not a Kendra index ID', () => {
    const { stack } = testStack();
    expect(() => KendraIndex.fromIndexId(stack, 'Existing', 'my-index'))
      .toThrow(/KendraIndex\.fromIndexId: index id 'my-index' is not a Kendra index ID \(36 characters/);
  });
});

describe('KendraIndex.fromIndexArn', () => {
  test('an index of another region and account: its ID from the ARN, the grant on the ARN itself', () => {
    const { stack } = testStack();
    const index = KendraIndex.fromIndexArn(stack, 'Existing', INDEX_ARN);
    expect(index.indexId).toBe(INDEX_ID);
    expect(index.indexArn).toBe(INDEX_ARN);
    expect(index.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    const statement = queryStatement(stack, (role) => index.grantQuery(role));
    expect(statement).toEqual({ Action: ['kendra:Query', 'kendra:Retrieve'], Effect: 'Allow', Resource: INDEX_ARN });
  });

  test.each([
    ['an S3 ARN', 'arn:aws:s3:::my-bucket'],
    ['a data source ARN', `arn:aws:kendra:eu-west-1:123456789012:data-source/${INDEX_ID}`],
  ])('throws when the ARN is %s', (_what, arn) => {
    const { stack } = testStack();
    expect(() => KendraIndex.fromIndexArn(stack, 'Existing', arn)).toThrow(/KendraIndex\.fromIndexArn: '.*' is not a Kendra index ARN such as arn:aws:kendra:/);
  });

  test('throws when the ARN holds an index id that is not one', () => {
    const { stack } = testStack();
    expect(() => KendraIndex.fromIndexArn(stack, 'Existing', 'arn:aws:kendra:eu-west-1:123456789012:index/short'))
      .toThrow(/KendraIndex\.fromIndexArn: index id 'short' is not a Kendra index ID/);
  });
});

describe('KendraIndex', () => {
  let stack: Stack;
  let index: KendraIndex;
  beforeAll(() => {
    ({ stack } = testStack());
    index = new KendraIndex(stack, 'Index');
  });

  test('exposes the index and data source L1s, the key, and an ARN built from the index ID', () => {
    expect(index.index.cfnResourceType).toBe('AWS::Kendra::Index');
    expect(index.dataSource.cfnResourceType).toBe('AWS::Kendra::DataSource');
    expect(stack.resolve(index.dataSource.indexId)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(index.index), 'Id'] });
    expect(stack.resolve(index.indexArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kendra:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':index/', { 'Fn::GetAtt': ['Index4A79713B', 'Id'] }]],
    });
    expect(index.encryptionKey.node.path).toBe('TestStack/Index/Key');
  });

  test('the escape hatch reaches the data source: a user changes its schedule', () => {
    const { stack: s } = testStack();
    const own = new KendraIndex(s, 'Index');
    own.dataSource.schedule = 'cron(0 5 * * ? *)';
    templateOf(s).hasResourceProperties('AWS::Kendra::DataSource', { Schedule: 'cron(0 5 * * ? *)' });
  });

  test('the stateful resources keep their logical IDs (index, key, documents bucket)', () => {
    const template = templateOf(stack);
    template.templateMatches({
      Resources: {
        Index4A79713B: Match.objectLike({ Type: 'AWS::Kendra::Index', DeletionPolicy: 'Retain' }),
        IndexKeyA7F7F7D2: Match.objectLike({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' }),
        IndexDocuments8F5CB681: Match.objectLike({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' }),
      },
    });
  });
});
