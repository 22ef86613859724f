import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { LLM, type BaseLLMParams } from '@langchain/core/language_models/llms';

/**
 * A LangChain LLM over a SageMaker real-time endpoint that runs the LMI (DJL Serving) container:
 * the equivalent of `@langchain/community`'s SageMakerEndpoint with the LMI content handler built
 * in. One InvokeEndpoint per call; retries are the caller's (the SDK client should have
 * `maxAttempts: 1` and LangChain's own retries are off), and `signal` aborts the HTTP request.
 */
export interface LmiGenerationParameters {
  /** LMI `max_new_tokens`. */
  readonly maxNewTokens: number;
  /** LMI `temperature`; 0 means greedy decoding (`do_sample` false). */
  readonly temperature: number;
}

export interface SageMakerLmiLLMFields extends BaseLLMParams, LmiGenerationParameters {
  readonly client: SageMakerRuntimeClient;
  readonly endpointName: string;
}

/** The endpoint answered, but not with a generation this code understands. */
export class LmiResponseError extends Error {
  public override readonly name = 'LmiResponseError';
}

/**
 * The request body of the LMI container: `inputs` plus generation parameters
 * (https://docs.djl.ai/master/docs/serving/serving/docs/lmi/user_guides/lmi_input_output_schema.html).
 */
export function lmiPayload(prompt: string, params: LmiGenerationParameters): string {
  return JSON.stringify({
    inputs: prompt,
    parameters: {
      max_new_tokens: params.maxNewTokens,
      // Greedy decoding sends no temperature: TGI-style validation rejects a temperature of 0.
      ...(params.temperature > 0 ? { temperature: params.temperature } : {}),
      do_sample: params.temperature > 0,
      return_full_text: false,
    },
  });
}

/**
 * The generated text of an LMI response: the rolling-batch form `{"generated_text": ...}` or the
 * TGI-compatible list form `[{"generated_text": ...}]`. Error messages never quote the body (it
 * may echo the prompt).
 */
export function parseGeneration(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new LmiResponseError(`the endpoint answered with something other than JSON (${body.length} bytes)`);
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  const text = typeof first === 'object' && first !== null ? (first as { generated_text?: unknown }).generated_text : undefined;
  if (typeof text !== 'string') throw new LmiResponseError('the endpoint\'s answer has no generated_text');
  return text;
}

export class SageMakerLmiLLM extends LLM {
  static override lc_name(): string {
    return 'SageMakerLmiLLM';
  }

  private readonly client: SageMakerRuntimeClient;
  private readonly endpointName: string;
  private readonly parameters: LmiGenerationParameters;

  constructor(fields: SageMakerLmiLLMFields) {
    // Retries belong to the handler's budget-aware policy, not to LangChain's AsyncCaller.
    super({ ...fields, maxRetries: 0 });
    this.client = fields.client;
    this.endpointName = fields.endpointName;
    this.parameters = { maxNewTokens: fields.maxNewTokens, temperature: fields.temperature };
  }

  override _llmType(): string {
    return 'sagemaker-lmi';
  }

  override async _call(prompt: string, options: this['ParsedCallOptions']): Promise<string> {
    const response = await this.client.send(new InvokeEndpointCommand({
      EndpointName: this.endpointName,
      ContentType: 'application/json',
      Accept: 'application/json',
      Body: lmiPayload(prompt, this.parameters),
    }), { abortSignal: options.signal });
    return parseGeneration(new TextDecoder().decode(response.Body));
  }
}
