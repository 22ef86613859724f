/**
 * Facts about Amazon Bedrock knowledge bases and their vector stores that the constructs check at
 * synth time. Pure data, no imports, so the Lambda bundle and the CLI can take it too. Internal: not
 * exported from constructs/index.ts, since RegExp and literal-object members are not jsii types.
 */
export class KnowledgeBaseFacts {
  /**
   * Regions with Amazon Bedrock Knowledge Bases (Bedrock user guide, "Supported models and Regions
   * for Amazon Bedrock knowledge bases"), sorted.
   */
  public static readonly REGIONS: readonly string[] = [
    'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2',
    'ca-central-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
    'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-west-2',
  ];

  /** A knowledge base ID: 10 letters and digits (Bedrock API reference, GetAgentKnowledgeBase / Retrieve `knowledgeBaseId`). */
  public static readonly KNOWLEDGE_BASE_ID_PATTERN = /^[0-9a-zA-Z]{10}$/;

  /** S3 Vectors index names: 3-63 lowercase letters, digits, hyphens and dots (AWS::S3Vectors::Index IndexName). */
  public static readonly S3_VECTORS_INDEX_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

  /** Non-filterable metadata keys of an S3 vector index: 1 to 10 keys of 1 to 63 characters (S3 Vectors API, MetadataConfiguration). */
  public static readonly S3_VECTORS_MAX_NON_FILTERABLE_KEYS = 10;
  public static readonly S3_VECTORS_MAX_METADATA_KEY_LENGTH = 63;

  /**
   * The metadata keys Bedrock writes to each vector: the chunk text and its metadata. They must be
   * non-filterable, since an S3 vector's filterable metadata is limited to 2 KB (S3 user guide,
   * "Limitations and restrictions" of S3 Vectors) and a chunk's text exceeds it.
   */
  public static readonly BEDROCK_S3_VECTORS_METADATA_KEYS: readonly string[] = ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'];

  /**
   * OpenSearch Serverless collection names: start with a lowercase letter, 3 to 28 lowercase
   * letters, digits and hyphens (AWS::OpenSearchServerless::Collection Name).
   */
  public static readonly COLLECTION_NAME_PATTERN = /^[a-z][a-z0-9-]{2,27}$/;

  /**
   * OpenSearch Serverless security and access policy names (AWS::OpenSearchServerless::SecurityPolicy
   * Name, 3-32 characters). The construct builds them as the collection name plus a 4-character
   * suffix, so COLLECTION_NAME_PATTERN's check covers them; the tests assert the built names match.
   */
  public static readonly POLICY_NAME_PATTERN = /^[a-z][a-z0-9-]{2,31}$/;

  /**
   * OpenSearch index names: lowercase, not starting with `_` or `-`, none of `\ / * ? " < > | , #`
   * or spaces, at most 255 bytes (OpenSearch "Create index" naming restrictions; the OpenSearch
   * Serverless CreateIndex API: lowercase, no leading underscore or hyphen).
   */
  public static readonly OPENSEARCH_INDEX_NAME_PATTERN = /^[a-z0-9][^A-Z\\/*?"<>|,# :]{0,254}$/;

  /** Fixed-size chunk overlap, in percent (Bedrock API reference, FixedSizeChunkingConfiguration). */
  public static readonly OVERLAP_PERCENTAGE_RANGE = { min: 1, max: 99 } as const;

  /** Semantic chunking: buffer size 0-1, breakpoint percentile 50-99 (Bedrock API reference, SemanticChunkingConfiguration). */
  public static readonly SEMANTIC_BUFFER_SIZE_RANGE = { min: 0, max: 1 } as const;
  public static readonly SEMANTIC_BREAKPOINT_RANGE = { min: 50, max: 99 } as const;

  private constructor() {}
}
