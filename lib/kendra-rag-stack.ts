import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  KendraIndex, KendraRetriever, LmiEndpoint, RagApi, RagApiAuthorization, type IRagRetriever,
} from '../constructs';
import { FALCON_40B, findHostingInstance } from '../constructs/catalog';
import { addEndpointOutputs, addKendraIndexOutputs, addRagApiOutputs } from './outputs';

/** Properties of the {@link KendraRagStack}. */
export interface KendraRagStackProps extends StackProps {
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

const INSTANCE_TYPE = 'ml.g5.48xlarge';

/** Kendra Developer Edition list price, USD per hour (Amazon Kendra pricing page; not re-checked here). */
const KENDRA_DEVELOPER_USD_PER_HOUR = 1.125;

/**
 * Question answering over a company's documents: Kendra retrieval and Falcon-40B on an LMI
 * endpoint, wired with LangChain in a Lambda function behind an IAM-authorized, throttled API.
 */
export class KendraRagStack extends Stack {
  public readonly api: RagApi;
  public readonly endpoint: LmiEndpoint;

  constructor(scope: Construct, id: string, props: KendraRagStackProps = {}) {
    super(scope, id, props);
    this.endpoint = new LmiEndpoint(this, 'Falcon40b', { model: FALCON_40B, instanceType: INSTANCE_TYPE });
    const endpointCost = `about $${findHostingInstance(INSTANCE_TYPE)?.pricePerHourUsd ?? '?'}/h for the endpoint`;
    let retriever: IRagRetriever;
    let index: KendraIndex | undefined;
    if (props.kendraIndexId !== undefined) {
      retriever = KendraRetriever.fromIndexId(props.kendraIndexId);
      this.templateOptions.description = props.description
        ?? `RAG API over Kendra index ${props.kendraIndexId} and Falcon-40B on ${INSTANCE_TYPE} (${endpointCost}).`;
    } else {
      index = new KendraIndex(this, 'Index');
      retriever = index;
      this.templateOptions.description = props.description
        ?? 'RAG API over a new Kendra Developer Edition index (about $' + KENDRA_DEVELOPER_USD_PER_HOUR + '/h; only accounts that used Kendra before '
          + `2026-07-30 can create one: pass -c kendraIndexId=<id> to use an existing index) and Falcon-40B on ${INSTANCE_TYPE} (${endpointCost}).`;
    }
    this.api = new RagApi(this, 'Rag', {
      retriever,
      endpoint: this.endpoint,
      authorization: RagApiAuthorization.iam(),
      allowedOrigins: props.allowedOrigins,
      waf: props.waf,
    });
    addRagApiOutputs(this, this.api);
    addEndpointOutputs(this, this.endpoint, FALCON_40B.name);
    if (index) addKendraIndexOutputs(this, index);
    Tags.of(this).add('llm-recipe', 'kendra-rag');
  }
}
