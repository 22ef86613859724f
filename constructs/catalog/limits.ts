/**
 * API limits several parts of the library check: the constructs at synth, the RAG handler at run
 * time, the CLI before it calls AWS. Pure data, no imports, so the Lambda bundle can take it.
 */

/** SageMaker endpoint, endpoint-config and variant names (CreateEndpoint / InvokeEndpoint API, EndpointName). */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** ProductionVariant ContainerStartupHealthCheckTimeoutInSeconds and ModelDataDownloadTimeoutInSeconds (CreateEndpointConfig API). */
export const VARIANT_TIMEOUT_RANGE_S = { min: 60, max: 3600 } as const;

/** ProductionVariant VolumeSizeInGB (CreateEndpointConfig API). */
export const VARIANT_VOLUME_RANGE_GIB = { min: 1, max: 512 } as const;

/** Kendra index IDs: 36 characters (Kendra API, Retrieve IndexId). */
export const KENDRA_INDEX_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/;

/** Longest Kendra query text (Amazon Kendra quotas, "Characters in a query"). */
export const KENDRA_MAX_QUERY_CHARS = 1000;

/** Most passages one Kendra Retrieve page returns (Retrieve API, PageSize). */
export const KENDRA_MAX_PAGE_SIZE = 100;
