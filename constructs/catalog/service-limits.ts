import {
  KENDRA_INDEX_ID_PATTERN, KENDRA_MAX_PAGE_SIZE, KENDRA_MAX_QUERY_CHARS, SAGEMAKER_NAME_PATTERN, VARIANT_TIMEOUT_RANGE_S, VARIANT_VOLUME_RANGE_GIB,
} from './limits';

/**
 * AWS API limits the constructs check at synth and the RAG handler at run time. Patterns are
 * regular-expression sources (`new RegExp(ServiceLimits.SAGEMAKER_NAME_PATTERN)`), so every jsii
 * language can use them.
 */
export class ServiceLimits {
  /** SageMaker endpoint, endpoint-config and variant names (CreateEndpoint API, EndpointName). */
  public static readonly SAGEMAKER_NAME_PATTERN: string = SAGEMAKER_NAME_PATTERN.source;
  /** Shortest production-variant startup health check and model download timeout, in seconds (CreateEndpointConfig API). */
  public static readonly VARIANT_TIMEOUT_MIN_SECONDS: number = VARIANT_TIMEOUT_RANGE_S.min;
  /** Longest production-variant startup health check and model download timeout, in seconds (CreateEndpointConfig API). */
  public static readonly VARIANT_TIMEOUT_MAX_SECONDS: number = VARIANT_TIMEOUT_RANGE_S.max;
  /** Smallest production-variant volume, in GiB (CreateEndpointConfig API, VolumeSizeInGB). */
  public static readonly VARIANT_VOLUME_MIN_GIB: number = VARIANT_VOLUME_RANGE_GIB.min;
  /** Largest production-variant volume, in GiB (CreateEndpointConfig API, VolumeSizeInGB). */
  public static readonly VARIANT_VOLUME_MAX_GIB: number = VARIANT_VOLUME_RANGE_GIB.max;
  /** Kendra index IDs (Kendra API, Retrieve IndexId). */
  public static readonly KENDRA_INDEX_ID_PATTERN: string = KENDRA_INDEX_ID_PATTERN.source;
  /** Longest Kendra query text in characters (Amazon Kendra quotas). */
  public static readonly KENDRA_MAX_QUERY_CHARS: number = KENDRA_MAX_QUERY_CHARS;
  /** Most passages one Kendra Retrieve page returns (Retrieve API, PageSize). */
  public static readonly KENDRA_MAX_PAGE_SIZE: number = KENDRA_MAX_PAGE_SIZE;

  private constructor() {}
}
