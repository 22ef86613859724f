import { Arn, ArnFormat, Duration, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { LmiBackend } from '../catalog';
import { newErrors } from './props';

/** A real-time invocation must answer within 60 s (SageMaker InvokeEndpoint); alarm 10 s before it. */
const DEFAULT_LATENCY_ALARM = Duration.seconds(60 - 10);

/**
 * A SageMaker real-time endpoint serving an LLM, created here ({@link LmiEndpoint}) or imported
 * (`LmiEndpoint.fromEndpointName` and friends). It is an aws-cdk-lib `sagemaker.IEndpoint`, so it
 * goes wherever one is expected.
 */
export interface ILmiEndpoint extends sagemaker.IEndpoint {
  /**
   * The production variant the metrics are read from.
   * @attribute
   */
  readonly variantName: string;

  /** A metric of the `AWS/SageMaker` namespace for this endpoint's variant. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests sent to the variant. */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests per instance of the variant. */
  metricInvocationsPerInstance(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time the model took to answer, in microseconds. */
  metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time SageMaker added to the model's, in microseconds. */
  metricOverheadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests the model answered with a 4xx. */
  metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests the model answered with a 5xx. */
  metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Concurrent requests per model: the 10-second signal autoscaling tracks. */
  metricConcurrentRequestsPerModel(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** CPU utilisation of the instances, in percent summed over their vCPUs. */
  metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Host memory utilisation of the instances, in percent. */
  metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Disk utilisation of the instances, in percent. */
  metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** GPU utilisation, in percent summed over the GPUs. */
  metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** GPU memory utilisation, in percent summed over the GPUs. */
  metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What an endpoint deployed elsewhere is known by, for {@link LmiEndpoint.fromEndpointAttributes}. */
export interface LmiEndpointAttributes {
  /**
   * The endpoint name. SageMaker puts names into ARNs in lower case, so give the name when its case
   * matters (metrics are published under the name as created).
   * @default read from endpointArn
   */
  readonly endpointName?: string;
  /**
   * The endpoint ARN.
   * @default built from endpointName in this stack's account and region
   */
  readonly endpointArn?: string;
  /** @default 'AllTraffic' */
  readonly variantName?: string;
  /**
   * The backend the endpoint runs, so that GPU metrics are refused on Inferentia2.
   * @default unknown: every metric is offered
   */
  readonly backend?: LmiBackend;
}

/** Thresholds and actions of {@link LmiEndpointBase.addAlarms}. */
export interface LmiEndpointAlarmOptions {
  /**
   * What each alarm does when it fires and when it recovers, for example an SNS action.
   * @default no action: the alarm state is only visible in CloudWatch
   */
  readonly actions?: cloudwatch.IAlarmAction[];
  /**
   * 5xx answers in one 5-minute period that raise the error alarm.
   * @default 1
   */
  readonly errorThreshold?: number;
  /**
   * p90 model latency that raises the latency alarm. Real-time invocations time out at 60 s.
   * @default Duration.seconds(50)
   */
  readonly latencyThreshold?: Duration;
  /**
   * Consecutive 5-minute periods above the latency threshold before the alarm fires.
   * @default 3
   */
  readonly latencyEvaluationPeriods?: number;
}

/** The alarms {@link LmiEndpointBase.addAlarms} created. */
export interface LmiEndpointAlarms {
  /** Fires on 5xx answers. */
  readonly errorAlarm: cloudwatch.Alarm;
  /** Fires on p90 model latency above the threshold. */
  readonly latencyAlarm: cloudwatch.Alarm;
}

/** The parts every LMI endpoint shares, created or imported: grants, metrics, alarms. */
export abstract class LmiEndpointBase extends Resource implements ILmiEndpoint {
  public abstract readonly endpointArn: string;
  public abstract readonly endpointName: string;
  public abstract readonly variantName: string;
  /** The backend the endpoint runs, where known. */
  public abstract readonly backend?: LmiBackend;
  private alarmsAdded = false;

  /** What alarm descriptions call the endpoint. */
  protected abstract get displayName(): string;

  /** A reference for APIs that take an `IEndpointRef`. */
  public get endpointRef(): sagemaker.EndpointReference {
    return { endpointArn: this.endpointArn };
  }

  /** Permits `grantee` to invoke the endpoint, streaming included (both APIs check `sagemaker:InvokeEndpoint`). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }

  /**
   * A metric of the `AWS/SageMaker` namespace, dimensioned by this endpoint and variant.
   * @default - sum over 5 minutes
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', metricName, { statistic: 'Sum', ...props });
  }

  /**
   * Requests sent to the variant (`Invocations`).
   * @default - sum over 5 minutes
   */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', { statistic: 'Sum', ...props });
  }

  /**
   * Requests per instance (`InvocationsPerInstance`).
   * @default - sum over 5 minutes
   */
  public metricInvocationsPerInstance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationsPerInstance', { statistic: 'Sum', ...props });
  }

  /**
   * Time the model took to answer, in microseconds (`ModelLatency`).
   * @default - average over 5 minutes
   */
  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', { statistic: 'Average', ...props });
  }

  /**
   * Time SageMaker added to the model's, in microseconds (`OverheadLatency`).
   * @default - average over 5 minutes
   */
  public metricOverheadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('OverheadLatency', { statistic: 'Average', ...props });
  }

  /**
   * Requests answered with a 4xx (`Invocation4XXErrors`).
   * @default - sum over 5 minutes
   */
  public metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', { statistic: 'Sum', ...props });
  }

  /**
   * Requests answered with a 5xx (`Invocation5XXErrors`).
   * @default - sum over 5 minutes
   */
  public metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', { statistic: 'Sum', ...props });
  }

  /**
   * Concurrent requests per model (`ConcurrentRequestsPerModel`), published every 10 seconds: the
   * signal `scaleOnConcurrentRequests` tracks.
   * @default - maximum over 5 minutes
   */
  public metricConcurrentRequestsPerModel(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConcurrentRequestsPerModel', { statistic: 'Maximum', ...props });
  }

  /**
   * CPU utilisation in percent, summed over the vCPUs (`/aws/sagemaker/Endpoints` `CPUUtilization`).
   * @default - average over 5 minutes
   */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('CPUUtilization', props);
  }

  /**
   * Host memory utilisation in percent (`MemoryUtilization`).
   * @default - average over 5 minutes
   */
  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('MemoryUtilization', props);
  }

  /**
   * Disk utilisation in percent (`DiskUtilization`).
   * @default - average over 5 minutes
   */
  public metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('DiskUtilization', props);
  }

  /**
   * GPU utilisation in percent, summed over the GPUs (0..100 x GPUs). SageMaker publishes no Neuron
   * equivalent: on Inferentia2 this throws.
   * @default - average over 5 minutes
   */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUUtilization', props);
  }

  /**
   * GPU memory utilisation in percent, summed over the GPUs. Throws on Inferentia2, like metricGpuUtilization.
   * @default - average over 5 minutes
   */
  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUMemoryUtilization', props);
  }

  /**
   * Adds two alarms under this endpoint: any 5xx answer (`ErrorAlarm`), and p90 model latency close
   * to the 60 s invocation limit (`LatencyAlarm`). Missing data (no traffic) is not breaching.
   * Call it once.
   */
  public addAlarms(options: LmiEndpointAlarmOptions = {}): LmiEndpointAlarms {
    const errors = newErrors();
    if (this.alarmsAdded) errors.addMessage('addAlarms: called twice; the alarms it returned the first time can take more actions (addAlarmAction)');
    const errorThreshold = options.errorThreshold ?? 1;
    if (!Token.isUnresolved(errorThreshold) && !(errorThreshold >= 1)) errors.addMessage(`errorThreshold: ${errorThreshold} must be at least 1`);
    const latency = options.latencyThreshold ?? DEFAULT_LATENCY_ALARM;
    const latencyMs = latency.isUnresolved() ? undefined : latency.toMilliseconds();
    if (latencyMs !== undefined && !(latencyMs > 0 && latencyMs <= 60_000)) {
      errors.addMessage(`latencyThreshold: ${latency.toHumanString()} must be above 0 and at most the 60 s invocation limit`);
    }
    const periods = options.latencyEvaluationPeriods ?? 3;
    if (!Token.isUnresolved(periods) && !(Number.isInteger(periods) && periods >= 1)) errors.addMessage(`latencyEvaluationPeriods: ${periods} must be a whole number of at least 1`);
    errors.throwIfAny();
    this.alarmsAdded = true;

    const errorAlarm = this.metricInvocation5xxErrors().createAlarm(this, 'ErrorAlarm', {
      alarmDescription: `${this.displayName} endpoint returned 5xx errors`,
      threshold: errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const latencyAlarm = this.metricModelLatency({ statistic: 'p90' }).createAlarm(this, 'LatencyAlarm', {
      alarmDescription: `${this.displayName} p90 model latency above ${latencyMs === undefined ? 'the threshold' : `${latencyMs / 1000} s`}, close to the 60 s invocation limit`,
      // ModelLatency is reported in microseconds.
      threshold: latency.toMilliseconds() * 1000,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const actions = options.actions ?? [];
    for (const alarm of [errorAlarm, latencyAlarm]) {
      if (actions.length > 0) {
        alarm.addAlarmAction(...actions);
        alarm.addOkAction(...actions);
      } else {
        Validations.of(alarm).acknowledge({
          id: 'NIST.800.53.R5-CloudWatchAlarmAction',
          reason: 'The caller passed no alarm action to addAlarms: the alarm state is shown in CloudWatch only, by the caller\'s choice.',
        });
      }
    }
    return { errorAlarm, latencyAlarm };
  }

  private variantMetric(namespace: string, metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      ...props,
    }).attachTo(this);
  }

  private instanceMetric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (metricName.startsWith('GPU') && this.backend === LmiBackend.NEURON) {
      throw new Error(`${metricName} is not published for Inferentia2 endpoints: SageMaker has no built-in Neuron utilisation metric for endpoints; run neuron-monitor in the container to get one`);
    }
    return this.variantMetric('/aws/sagemaker/Endpoints', metricName, { statistic: 'Average', ...props });
  }
}

/** An endpoint deployed elsewhere. */
export class ImportedLmiEndpoint extends LmiEndpointBase {
  public readonly endpointArn: string;
  public readonly endpointName: string;
  public readonly variantName: string;
  public readonly backend?: LmiBackend;

  constructor(scope: Construct, id: string, attrs: LmiEndpointAttributes) {
    const errors = newErrors();
    if (attrs.endpointName === undefined && attrs.endpointArn === undefined) {
      errors.addMessage('endpointName: give endpointName or endpointArn to import an endpoint');
    }
    errors.throwIfAny();
    const stack = Stack.of(scope);
    const endpointArn = attrs.endpointArn ?? stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: attrs.endpointName });
    const endpointName = attrs.endpointName ?? Arn.split(endpointArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    super(scope, id, { environmentFromArn: endpointArn });
    this.endpointArn = endpointArn;
    this.endpointName = endpointName;
    this.variantName = attrs.variantName ?? 'AllTraffic';
    this.backend = attrs.backend;
  }

  protected get displayName(): string {
    return Token.isUnresolved(this.endpointName) ? 'The imported' : this.endpointName;
  }
}
