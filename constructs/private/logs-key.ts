import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** What CloudWatch Logs does with a log group's key (CloudWatch Logs guide, "Encrypt log data in CloudWatch Logs using AWS KMS"). */
const LOGS_KEY_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];

/**
 * Lets the regional CloudWatch Logs principal use `key` for the log groups whose ARN matches
 * `logGroupArn` (an exact ARN, or a pattern with `*`): the key policy statement of the CloudWatch
 * Logs guide, limited by the `kms:EncryptionContext:aws:logs:arn` condition. Returns false when
 * the key is imported and its policy cannot be extended here.
 */
export function allowLogsToUseKey(key: kms.IKey, logGroupArn: string, sid?: string): boolean {
  return key.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: LOGS_KEY_ACTIONS,
    resources: ['*'],
    conditions: { [logGroupArn.includes('*') ? 'ArnLike' : 'ArnEquals']: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
  })).statementAdded;
}

/**
 * A rotating, retained KMS key for CloudWatch Logs log groups of this account and region, as child
 * `id` of `scope`, usable by CloudWatch Logs for this account's log groups only.
 */
export function logsKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  allowLogsToUseKey(key, `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`);
  return key;
}

/** Every `logs.RetentionDays` but INFINITE: nothing here logs forever. */
const RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE);

/**
 * Why `value` cannot be the retention `prop` of a log group, or undefined when it can (or is not
 * given): it must be a `logs.RetentionDays` value other than INFINITE.
 */
export function logRetentionProblem(prop: string, value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'number' && RETENTION_DAYS.includes(value))) return undefined;
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? `'${value}'` : typeof value;
  return `${prop}: ${shown} is not a logs.RetentionDays value (for example RetentionDays.ONE_YEAR); logs are never kept forever here, INFINITE included`;
}
