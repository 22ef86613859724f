import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Requests over TLS older than 1.2 are denied by the bucket policy (`s3:TlsVersion` condition). */
const MINIMUM_TLS_VERSION = 1.2;

/**
 * A bucket for data that must outlive its stack: KMS-encrypted with `key`, versioned, private,
 * TLS 1.2 or later only, and retained, with server access logs in a sibling bucket `AccessLogs` (SSE-S3, since
 * access logs can only be delivered to a bucket with SSE-S3 default encryption; kept one year).
 * Both are children of `scope`, with the given `id` for the data bucket.
 */
export function retainedBucket(scope: Construct, id: string, key: kms.IKey, logPrefix: string): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: MINIMUM_TLS_VERSION,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(365) }],
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket receives the ${id} bucket's server access logs; logging it to itself would loop.`,
  });
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: MINIMUM_TLS_VERSION,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: logPrefix,
  });
}
