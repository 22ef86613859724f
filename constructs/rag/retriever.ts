import { Aws, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** What a retriever gives the RAG handler: its environment (the handler's retriever settings). */
export interface RagRetrieverBinding {
  readonly environment: Record<string, string>;
}

/**
 * A document retriever the RAG API can query. Kendra ships now; another (a Bedrock knowledge base)
 * implements this interface without touching the API.
 */
export interface IRagRetriever {
  /** Grants `grantee` the right to query and returns the handler's settings. */
  bind(grantee: iam.IGrantable): RagRetrieverBinding;
}

/** Kendra index IDs: 36 characters, `[a-zA-Z0-9][a-zA-Z0-9-]*` (Kendra API, Retrieve IndexId). */
const KENDRA_INDEX_ID = /^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/;

function kendraIndexArn(indexId: string): string {
  return `arn:${Aws.PARTITION}:kendra:${Aws.REGION}:${Aws.ACCOUNT_ID}:index/${indexId}`;
}

function grantQuery(grantee: iam.IGrantable, indexId: string): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['kendra:Query', 'kendra:Retrieve'], resourceArns: [kendraIndexArn(indexId)] });
}

/**
 * An existing Amazon Kendra index, by ID: the primary path, since Kendra takes no new customers
 * since 2026-07-30 (existing customers keep their indexes).
 */
export class KendraRetriever implements IRagRetriever {
  /** @param indexId the index ID (36 characters), for example from `aws kendra list-indices` */
  public static fromIndexId(indexId: string): KendraRetriever {
    if (!Token.isUnresolved(indexId) && !KENDRA_INDEX_ID.test(indexId)) {
      throw new Error(`KendraRetriever: index id '${indexId}' is not a Kendra index ID (36 characters, letters, digits and hyphens)`);
    }
    return new KendraRetriever(indexId);
  }

  private constructor(public readonly indexId: string) {}

  public bind(grantee: iam.IGrantable): RagRetrieverBinding {
    grantQuery(grantee, this.indexId);
    return { environment: { KENDRA_INDEX_ID: this.indexId } };
  }
}
