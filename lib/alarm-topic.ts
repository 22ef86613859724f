import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

/**
 * The alarm actions of a recipe stack: none without an e-mail address; with one, a KMS-encrypted,
 * TLS-only SNS topic (`AlarmTopic`) that e-mails it. The address must confirm the subscription
 * from the message SNS sends after deploy.
 */
export function alarmActions(stack: Stack, email: string | undefined): cloudwatch.IAlarmAction[] {
  if (email === undefined) return [];
  const key = new kms.Key(stack, 'AlarmTopicKey', {
    description: `Encrypts the alarm topic of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // CloudWatch publishes to a topic encrypted with a customer managed key only if the key policy
  // lets it use the key (SNS developer guide, "Enable compatibility between event sources from AWS
  // services and encrypted topics": kms:Decrypt and kms:GenerateDataKey*).
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  const topic = new sns.Topic(stack, 'AlarmTopic', {
    displayName: `${stack.stackName} alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  // enforceSSL writes a topic policy, which replaces SNS's default one: allow CloudWatch alarms of
  // this account to publish.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  topic.addSubscription(new subscriptions.EmailSubscription(email));
  return [new actions.SnsAction(topic)];
}
