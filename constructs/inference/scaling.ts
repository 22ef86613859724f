import { Duration, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type { Construct } from 'constructs';
import { newErrors } from './props';

/** Properties of a {@link ScalableInstanceCount}. */
export interface ScalableInstanceCountProps extends appscaling.BaseScalableAttributeProps {
  /**
   * The target `scaleOnConcurrentRequests` holds unless told otherwise.
   * @default 1
   */
  readonly defaultTargetConcurrentRequestsPerModel?: number;
}

/** Target tracking on concurrent requests, for {@link ScalableInstanceCount.scaleOnConcurrentRequests}. */
export interface ConcurrentRequestsScalingProps extends appscaling.BaseTargetTrackingProps {
  /**
   * Concurrent requests per model copy to hold, tracked on the 10-second metric
   * `SageMakerVariantConcurrentRequestsPerModelHighResolution`.
   * @default three quarters of the endpoint's maximum rolling batch size, to scale out before requests queue
   */
  readonly targetConcurrentRequestsPerModel?: number;
}

/**
 * The instance count of an endpoint's production variant, scaled by Application Auto Scaling:
 * what `LmiEndpoint.autoScaleInstanceCount` returns. Add target tracking or schedules to it.
 */
export class ScalableInstanceCount extends appscaling.BaseScalableAttribute {
  private readonly defaultTarget: number;

  constructor(scope: Construct, id: string, props: ScalableInstanceCountProps) {
    super(scope, id, props);
    this.defaultTarget = props.defaultTargetConcurrentRequestsPerModel ?? 1;
  }

  /**
   * Tracks concurrent requests per model on the high-resolution (10-second) metric SageMaker
   * publishes for real-time endpoints, which reacts faster than invocations per minute.
   */
  public scaleOnConcurrentRequests(id: string, props: ConcurrentRequestsScalingProps = {}): void {
    const target = props.targetConcurrentRequestsPerModel ?? this.defaultTarget;
    const errors = newErrors();
    if (!Token.isUnresolved(target) && !(target > 0)) errors.addMessage(`targetConcurrentRequestsPerModel: ${target} must be above 0`);
    errors.throwIfAny();
    this.doScaleToTrackMetric(id, {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION,
      targetValue: target,
      scaleInCooldown: props.scaleInCooldown ?? Duration.minutes(5),
      scaleOutCooldown: props.scaleOutCooldown ?? Duration.minutes(1),
      disableScaleIn: props.disableScaleIn,
      policyName: props.policyName,
    });
  }

  /** Sets the capacity range on a schedule, for example fewer instances at night. */
  public scaleOnSchedule(id: string, schedule: appscaling.ScalingSchedule): void {
    this.doScaleOnSchedule(id, schedule);
  }
}
