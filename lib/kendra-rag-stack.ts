import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  KendraIndex, type LmiEndpoint, RagApi, RagApiAuthorization, RagChatUserPool, RagChatWebsite, type IKendraIndex,
} from '../constructs';
import { alarmActions } from './alarm-topic';
import { ragEndpoint } from './rag-endpoint';
import { addChatOutputs, addEndpointOutputs, addKendraIndexOutputs } from './outputs';

/** Properties of the {@link KendraRagStack}. */
export interface KendraRagStackProps extends StackProps {
  /**
   * E-mail address told of the endpoint's 5xx errors and high latency, through a KMS-encrypted SNS
   * topic (the subscription must be confirmed from the mail).
   * @default none: the alarms have no action
   */
  readonly alarmEmail?: string;
  /**
   * An existing Kendra index. Kendra takes no new customers since 2026-07-30, so this is the path for
   * most accounts.
   * @default a new Developer Edition index with an S3 data source
   */
  readonly kendraIndexId?: string;
  /** Browser origins allowed by CORS. @default none */
  readonly allowedOrigins?: string[];
  /** Put AWS WAF in front of the API. @default false */
  readonly waf?: boolean;
}

/** Kendra Developer Edition list price, USD per hour (Amazon Kendra pricing page; not re-checked here). */
const KENDRA_DEVELOPER_USD_PER_HOUR = 1.125;

/**
 * Question answering over a company's documents: Kendra retrieval and Falcon-40B on an LMI
 * endpoint, wired with LangChain in a Lambda function behind a Cognito-authorized, throttled API,
 * and the chat page (CloudFront) whose users sign in to the stack's Cognito user pool.
 */
export class KendraRagStack extends Stack {
  public readonly api: RagApi;
  public readonly endpoint: LmiEndpoint;
  /** The chat page over the API; its users sign in to the stack's Cognito user pool. */
  public readonly chat: RagChatWebsite;

  constructor(scope: Construct, id: string, props: KendraRagStackProps = {}) {
    super(scope, id, props);
    const rag = ragEndpoint(this);
    this.endpoint = rag.endpoint;
    let retriever: IKendraIndex;
    let index: KendraIndex | undefined;
    if (props.kendraIndexId !== undefined) {
      retriever = KendraIndex.fromIndexId(this, 'ExistingIndex', props.kendraIndexId);
      this.templateOptions.description = props.description
        ?? `RAG API over Kendra index ${props.kendraIndexId} and ${rag.description}.`;
    } else {
      index = new KendraIndex(this, 'Index');
      retriever = index;
      this.templateOptions.description = props.description
        ?? 'RAG API over a new Kendra Developer Edition index (about $' + KENDRA_DEVELOPER_USD_PER_HOUR + '/h; only accounts that used Kendra before '
          + `2026-07-30 can create one: pass -c kendraIndexId=<id> to use an existing index) and ${rag.description}.`;
    }
    const users = new RagChatUserPool(this, 'ChatUsers');
    const userPool = users.userPool;
    this.api = new RagApi(this, 'Rag', {
      retriever,
      endpoint: this.endpoint,
      authorization: RagApiAuthorization.cognito(userPool),
      allowedOrigins: props.allowedOrigins,
      waf: props.waf,
    });
    this.chat = new RagChatWebsite(this, 'Chat', { api: this.api, userPool });
    addChatOutputs(this, this.api, this.chat, users);
    if (props.description === undefined) {
      // Cognito Plus feature plan: $0.02 per monthly active user, no free tier (Amazon Cognito pricing page).
      this.templateOptions.description += ' Chat page on CloudFront; its Cognito users (Plus plan) about $0.02 per monthly active user.';
    }
    this.endpoint.addAlarms({ actions: alarmActions(this, props.alarmEmail) });
    addEndpointOutputs(this, this.endpoint);
    if (index) addKendraIndexOutputs(this, index);
    Tags.of(this).add('llm-recipe', 'kendra-rag');
  }
}
