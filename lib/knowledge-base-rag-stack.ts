import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { type EmbeddingModel, type LmiEndpoint, RagApi, RagApiAuthorization, RagChatUserPool, RagChatWebsite, VectorKnowledgeBase, VectorStoreType, type IKnowledgeBase } from '../constructs';
import { alarmActions } from './alarm-topic';
import { ragEndpoint } from './rag-endpoint';
import { addChatOutputs, addEndpointOutputs, addKnowledgeBaseOutputs } from './outputs';

/** Properties of the {@link KnowledgeBaseRagStack}. */
export interface KnowledgeBaseRagStackProps extends StackProps {
  /**
   * E-mail address told of the endpoint's 5xx errors and high latency, through a KMS-encrypted SNS
   * topic (the subscription must be confirmed from the mail).
   * @default none: the alarms have no action
   */
  readonly alarmEmail?: string;
  /** An existing knowledge base to retrieve from; then the stack creates none. @default a new vector knowledge base */
  readonly knowledgeBaseId?: string;
  /** Vector store of the new knowledge base. @default VectorStoreType.S3_VECTORS */
  readonly vectorStore?: VectorStoreType;
  /** Embedding model of the new knowledge base. @default EmbeddingModel.TITAN_TEXT_V2_1024 */
  readonly embeddingModel?: EmbeddingModel;
  /** Name of an existing bucket of documents for the new knowledge base. @default a new retained bucket */
  readonly documentsBucketName?: string;
  /** Browser origins allowed by CORS. @default none */
  readonly allowedOrigins?: string[];
  /** Put AWS WAF in front of the API. @default false */
  readonly waf?: boolean;
}

/**
 * Question answering over a company's documents for every account: an Amazon Bedrock knowledge base
 * (S3 Vectors by default) and Falcon-40B on an LMI endpoint, wired with LangChain in a Lambda
 * function behind a Cognito-authorized, throttled API, and the chat page (CloudFront) whose users
 * sign in to the stack's Cognito user pool.
 */
export class KnowledgeBaseRagStack extends Stack {
  public readonly api: RagApi;
  public readonly endpoint: LmiEndpoint;
  /** The chat page over the API; its users sign in to the stack's Cognito user pool. */
  public readonly chat: RagChatWebsite;
  /** The new knowledge base, unless an existing one was given. */
  public readonly knowledgeBase?: VectorKnowledgeBase;

  constructor(scope: Construct, id: string, props: KnowledgeBaseRagStackProps = {}) {
    super(scope, id, props);
    const existingOnly = { vectorStore: props.vectorStore, embeddingModel: props.embeddingModel, documentsBucketName: props.documentsBucketName };
    if (props.knowledgeBaseId !== undefined) {
      const given = Object.entries(existingOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
      if (given.length > 0) {
        throw new Error(`knowledgeBaseId: an existing knowledge base is used as it is; ${given.join(', ')} apply only to a new one (drop ${given.length > 1 ? 'them' : 'it'} or knowledgeBaseId)`);
      }
    }
    const rag = ragEndpoint(this);
    this.endpoint = rag.endpoint;
    let retriever: IKnowledgeBase;
    if (props.knowledgeBaseId !== undefined) {
      retriever = VectorKnowledgeBase.fromKnowledgeBaseId(this, 'KnowledgeBase', props.knowledgeBaseId);
      this.templateOptions.description = props.description
        ?? `RAG API over Bedrock knowledge base ${props.knowledgeBaseId} and ${rag.description}.`;
    } else {
      const store = props.vectorStore ?? VectorStoreType.S3_VECTORS;
      this.knowledgeBase = new VectorKnowledgeBase(this, 'KnowledgeBase', {
        vectorStore: store,
        embeddingModel: props.embeddingModel,
        documentsBucket: props.documentsBucketName === undefined ? undefined : s3.Bucket.fromBucketName(this, 'Documents', props.documentsBucketName),
      });
      retriever = this.knowledgeBase;
      const storeCost = store === VectorStoreType.S3_VECTORS
        ? 'S3 Vectors: no hourly cost, pay per GB stored and per query'
        : 'OpenSearch Serverless: at least 1 OCU, about $0.24/h, while the collection exists';
      this.templateOptions.description = props.description
        ?? `RAG API over a new Bedrock knowledge base (${storeCost}) and ${rag.description}.`;
    }
    const users = new RagChatUserPool(this, 'ChatUsers');
    this.api = new RagApi(this, 'Rag', {
      retriever,
      endpoint: this.endpoint,
      authorization: RagApiAuthorization.cognito(users.userPool),
      allowedOrigins: props.allowedOrigins,
      waf: props.waf,
    });
    this.chat = new RagChatWebsite(this, 'Chat', { api: this.api, userPool: users.userPool });
    addChatOutputs(this, this.api, this.chat, users);
    if (props.description === undefined) {
      // Cognito Plus feature plan: $0.02 per monthly active user, no free tier (Amazon Cognito pricing page).
      this.templateOptions.description += ' Chat page on CloudFront; its Cognito users (Plus plan) about $0.02 per monthly active user.';
    }
    this.endpoint.addAlarms({ actions: alarmActions(this, props.alarmEmail) });
    addEndpointOutputs(this, this.endpoint);
    addKnowledgeBaseOutputs(this, retriever, this.knowledgeBase);
    Tags.of(this).add('llm-recipe', 'knowledge-base-rag');
  }
}
