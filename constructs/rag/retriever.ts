import type * as iam from 'aws-cdk-lib/aws-iam';

/** What a retriever gives the RAG handler: its environment (the handler's retriever settings). */
export interface RagRetrieverBinding {
  readonly environment: Record<string, string>;
}

/**
 * A document retriever the RAG API can query: a Kendra index (`KendraIndex`, or an existing one
 * through `KendraIndex.fromIndexId`) or an Amazon Bedrock knowledge base (`VectorKnowledgeBase`, or
 * an existing one through `VectorKnowledgeBase.fromKnowledgeBaseId`).
 */
export interface IRagRetriever {
  /** Grants `grantee` the right to query and returns the handler's settings. */
  bind(grantee: iam.IGrantable): RagRetrieverBinding;
}
