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
    // Versioned so that a deleted or overwritten log object stays recoverable for 90 days.
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(90) }],
  });
  // S1 (server access logs) does not fire here: cdk-nag counts a bucket that receives another's logs as logged.
  Validations.of(accessLogs).acknowledge(
    {
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason: `This bucket receives the ${id} bucket's server access logs, which S3 delivers to SSE-S3 (AES256) destinations; its data stays under the ${id} bucket's KMS key.`,
    },
    {
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Access logs are kept in the region they describe; cross-region replication is the account owner\'s policy (S3 replication rules need a destination bucket this stack does not own).',
    },
  );
  const bucket = new s3.Bucket(scope, id, {
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
  Validations.of(bucket).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason: 'Versioned, KMS-encrypted and retained in its region; cross-region replication needs a destination bucket and key in another region, the account owner\'s disaster-recovery policy, not this stack\'s.',
  });
  return bucket;
}
