/**
 * Embedding models of Amazon Bedrock that a vector knowledge base can use, with the facts the
 * vector store and the chunking need: the vector dimensions each model produces and its input
 * token limit. The index dimension of a knowledge base is always read from here, never typed twice.
 */

/** Facts of an embedding model that is not in the catalog, for {@link EmbeddingModel.custom}. */
export interface CustomEmbeddingModelProps {
  /** Bedrock model ID, for example `amazon.titan-embed-text-v2:0`. */
  readonly modelId: string;
  /** Dimensions of the vectors it returns (the vector index is created with this many). */
  readonly dimensions: number;
  /** Longest input it embeds, in tokens: the ceiling of a chunk. */
  readonly maxInputTokens: number;
  /**
   * Pass `dimensions` to the model in the knowledge base's embedding configuration (only models that
   * take a dimensions parameter, as Titan Text Embeddings V2 does).
   * @default false
   */
  readonly configurableDimensions?: boolean;
}

/** Facts of a catalog model family. */
interface ModelFamily {
  readonly modelId: string;
  readonly name: string;
  readonly dimensions: readonly number[];
  readonly maxInputTokens: number;
  readonly configurableDimensions: boolean;
}

/**
 * Titan Text Embeddings V2: 8,192 tokens or 50,000 characters in, 1,024 (default), 512 or 256
 * dimensions out, 100+ languages (Bedrock user guide, "Amazon Titan Text Embeddings models").
 */
const TITAN_V2: ModelFamily = {
  modelId: 'amazon.titan-embed-text-v2:0', name: 'Titan Text Embeddings V2', dimensions: [1024, 512, 256], maxInputTokens: 8192, configurableDimensions: true,
};

/**
 * Cohere Embed Multilingual v3: 1,024 dimensions, a context window of 512 tokens, 100+ languages
 * (Bedrock user guide, model card "Embed Multilingual").
 */
const COHERE_MULTILINGUAL_V3: ModelFamily = {
  modelId: 'cohere.embed-multilingual-v3', name: 'Cohere Embed Multilingual v3', dimensions: [1024], maxInputTokens: 512, configurableDimensions: false,
};

const FAMILIES: readonly ModelFamily[] = [TITAN_V2, COHERE_MULTILINGUAL_V3];

/**
 * A Bedrock embedding model at one output dimension. Catalog presets carry the documented facts;
 * `of()` looks a model up by ID (an unknown ID or a dimension the model does not produce is an
 * error), `custom()` is the escape hatch for a model the catalog does not list.
 */
export class EmbeddingModel {
  /** Titan Text Embeddings V2 at 1,024 dimensions: multilingual (Japanese included), the default. */
  public static readonly TITAN_TEXT_V2_1024 = new EmbeddingModel(TITAN_V2, 1024);
  /** Titan Text Embeddings V2 at 512 dimensions: half the vector storage. */
  public static readonly TITAN_TEXT_V2_512 = new EmbeddingModel(TITAN_V2, 512);
  /** Titan Text Embeddings V2 at 256 dimensions: a quarter of the vector storage. */
  public static readonly TITAN_TEXT_V2_256 = new EmbeddingModel(TITAN_V2, 256);
  /** Cohere Embed Multilingual v3 (1,024 dimensions, 512 input tokens). */
  public static readonly COHERE_EMBED_MULTILINGUAL_V3 = new EmbeddingModel(COHERE_MULTILINGUAL_V3, 1024);

  /** Every catalog preset, by the name the recipe app's `kbEmbeddingModel` context takes. */
  public static presets(): { [name: string]: EmbeddingModel } {
    return {
      'titan-text-v2': EmbeddingModel.TITAN_TEXT_V2_1024,
      'titan-text-v2-512': EmbeddingModel.TITAN_TEXT_V2_512,
      'titan-text-v2-256': EmbeddingModel.TITAN_TEXT_V2_256,
      'cohere-embed-multilingual-v3': EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3,
    };
  }

  /**
   * A catalog model by Bedrock model ID, at `dimensions` (default: its largest).
   * Throws for a model ID the catalog does not list and for a dimension the model does not produce.
   */
  public static of(modelId: string, dimensions?: number): EmbeddingModel {
    const family = FAMILIES.find((f) => f.modelId === modelId);
    if (!family) {
      throw new Error(`EmbeddingModel: '${modelId}' is not a catalog embedding model; known: ${FAMILIES.map((f) => f.modelId).join(', ')} `
        + '(EmbeddingModel.custom({ modelId, dimensions, maxInputTokens }) takes another Bedrock embedding model)');
    }
    const dims = dimensions ?? family.dimensions[0];
    if (!family.dimensions.includes(dims)) {
      throw new Error(`EmbeddingModel: ${family.name} (${modelId}) does not produce ${dims}-dimension vectors; it produces ${family.dimensions.join(', ')}`);
    }
    return new EmbeddingModel(family, dims);
  }

  /** A Bedrock embedding model the catalog does not list; its facts are the caller's. */
  public static custom(props: CustomEmbeddingModelProps): EmbeddingModel {
    const errors: string[] = [];
    if (typeof props.modelId !== 'string' || !/^[a-z0-9-]+\.[A-Za-z0-9.:_-]+$/.test(props.modelId)) {
      errors.push(`modelId: '${String(props.modelId)}' is not a Bedrock model ID such as amazon.titan-embed-text-v2:0`);
    }
    // S3 Vectors and OpenSearch Serverless faiss indexes both top out far above any Bedrock embedding; 4,096 is S3 Vectors' limit (CreateIndex, dimension).
    if (!Number.isInteger(props.dimensions) || props.dimensions < 1 || props.dimensions > 4096) {
      errors.push(`dimensions: ${String(props.dimensions)} must be a whole number from 1 to 4096`);
    }
    if (!Number.isInteger(props.maxInputTokens) || props.maxInputTokens < 1) {
      errors.push(`maxInputTokens: ${String(props.maxInputTokens)} must be a whole number of 1 or more`);
    }
    if (errors.length > 0) throw new Error(`EmbeddingModel.custom: invalid props:\n- ${errors.join('\n- ')}`);
    return new EmbeddingModel({
      modelId: props.modelId, name: props.modelId, dimensions: [props.dimensions], maxInputTokens: props.maxInputTokens,
      configurableDimensions: props.configurableDimensions ?? false,
    }, props.dimensions);
  }

  /** Bedrock model ID. */
  public readonly modelId: string;
  /** Human-readable name. */
  public readonly displayName: string;
  /** Dimensions of the vectors it returns at this preset. */
  public readonly dimensions: number;
  /** Longest input it embeds, in tokens. */
  public readonly maxInputTokens: number;
  /** Every dimension the model can produce. */
  public readonly supportedDimensions: number[];
  /** The knowledge base passes `dimensions` to the model (Titan V2); otherwise the model's only size applies. */
  public readonly configurableDimensions: boolean;

  private constructor(family: ModelFamily, dimensions: number) {
    this.modelId = family.modelId;
    this.displayName = family.name;
    this.dimensions = dimensions;
    this.maxInputTokens = family.maxInputTokens;
    this.supportedDimensions = [...family.dimensions];
    this.configurableDimensions = family.configurableDimensions;
  }

  /** The model's ARN in a region and partition (tokens allowed): a foundation model has no account. */
  public modelArn(partition: string, region: string): string {
    return `arn:${partition}:bedrock:${region}::foundation-model/${this.modelId}`;
  }
}
