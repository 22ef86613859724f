import type * as iam from 'aws-cdk-lib/aws-iam';

/** What a retriever gives the RAG handler: its environment (the handler's retriever settings). */
export interface RagRetrieverBinding {
  readonly environment: Record<string, string>;
}

/**
 * A document retriever the RAG API can query. Kendra ships now (`KendraIndex`, or an existing index
 * through `KendraIndex.fromIndexId`); another (a Bedrock knowledge base) implements this interface
 * without touching the API.
 */
export interface IRagRetriever {
  /** Grants `grantee` the right to query and returns the handler's settings. */
  bind(grantee: iam.IGrantable): RagRetrieverBinding;
}
