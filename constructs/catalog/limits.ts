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

/** Bedrock knowledge base IDs: 10 letters and digits (Bedrock API reference, StartIngestionJob knowledgeBaseId: pattern [0-9a-zA-Z]{10}). */
export const BEDROCK_KNOWLEDGE_BASE_ID_PATTERN = /^[0-9a-zA-Z]{10}$/;

/** Bedrock data source IDs: 10 letters and digits (Bedrock API reference, StartIngestionJob dataSourceId: pattern [0-9a-zA-Z]{10}). */
export const BEDROCK_DATA_SOURCE_ID_PATTERN = /^[0-9a-zA-Z]{10}$/;

/**
 * Longest Bedrock knowledge base query text (Bedrock Agent Runtime Retrieve, KnowledgeBaseQuery
 * text: KnowledgeBaseQueryTextString max 1000 in the service model, botocore bedrock-agent-runtime 2023-07-26).
 */
export const BEDROCK_KB_MAX_QUERY_CHARS = 1000;

/** Most chunks one Retrieve returns (Bedrock API reference, KnowledgeBaseVectorSearchConfiguration numberOfResults: 1 to 100). */
export const BEDROCK_KB_MAX_RESULTS = 100;
