import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on a test fixture: a resource the test builds as the caller's own
 * (a VPC, a role, a bucket), not part of the construct under test. Name each finding that fires;
 * the recipe stacks and the example are audited for unused acknowledgements (test/nag.test.ts).
 */
export function acknowledgeFixture(fixture: IConstruct, ...ids: string[]): void {
  Validations.of(fixture).acknowledge(...ids.map((id) => ({ id, reason: "test fixture: the caller's own resource, not the construct under test" })));
}

/** The NIST 800-53 R5 findings of a default `ec2.Vpc` with public subnets and a default flow log. */
export const NIST_DEFAULT_VPC = [
  'NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
  'NIST.800.53.R5-IAMNoInlinePolicy', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
];
