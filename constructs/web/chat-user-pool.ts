import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { PropErrors } from '../private/validation';

/** Properties of a {@link RagChatUserPool}. */
export interface RagChatUserPoolProps {
  /**
   * Require a second factor (an authenticator app, TOTP) at every sign-in; with false it is optional
   * (each user may set one up).
   * @default true
   */
  readonly mfaRequired?: boolean;
  /**
   * Cognito threat protection (the Plus feature plan, about $0.02 per monthly active user instead of
   * the Essentials plan's $0.015): compromised-credential and adaptive-authentication checks, enforced.
   * @default true
   */
  readonly threatProtection?: boolean;
}

/**
 * The users of a chat page: a Cognito user pool an administrator fills (no self sign-up), signing in
 * by email with a strong password and an authenticator app, retained with deletion protection.
 */
export class RagChatUserPool extends Construct {
  public readonly userPool: cognito.UserPool;

  constructor(scope: Construct, id: string, props: RagChatUserPoolProps = {}) {
    super(scope, id);
    const errors = new PropErrors('RagChatUserPool');
    for (const name of ['mfaRequired', 'threatProtection'] as const) {
      const value = (props as Record<string, unknown>)[name];
      if (value !== undefined && typeof value !== 'boolean') errors.add(name, value, 'must be true or false');
    }
    errors.throwIfAny();
    const threatProtection = props.threatProtection ?? true;
    this.userPool = new cognito.UserPool(this, 'Resource', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: props.mfaRequired === false ? cognito.Mfa.OPTIONAL : cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // The managed login needs the Essentials or Plus feature plan; threat protection needs Plus
      // (Cognito guide, "User pool feature plans").
      featurePlan: threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Opt-outs the caller wrote down stay visible in their props; cdk-nag would otherwise refuse them.
    if (props.mfaRequired === false) {
      Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG2', reason: 'The caller made MFA optional (mfaRequired: false); each user can still set up an authenticator app.' });
    }
    if (!threatProtection) {
      Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG8', reason: 'The caller chose the Essentials feature plan without threat protection (threatProtection: false).' });
    }
  }

  /** An AWS CLI command that invites a user by email (Cognito sends a temporary password). */
  public get createUserCommand(): string {
    return `aws cognito-idp admin-create-user --user-pool-id ${this.userPool.userPoolId} --username <email> `
      + '--user-attributes Name=email,Value=<email> Name=email_verified,Value=true --desired-delivery-mediums EMAIL';
  }
}
