import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import type { EmbeddingModel } from '../catalog/embeddings';
import { KnowledgeBaseFacts } from '../catalog/knowledge-bases';

/** Options of {@link ChunkingStrategy.fixedSize}. */
export interface FixedSizeChunkingOptions {
  /** Most tokens in a chunk (at most the embedding model's input limit). @default 300 */
  readonly maxTokens?: number;
  /** Share of each chunk repeated at the start of the next, in percent (1-99). @default 20 */
  readonly overlapPercentage?: number;
}

/** Options of {@link ChunkingStrategy.semantic}. */
export interface SemanticChunkingOptions {
  /** Most tokens in a chunk (at most the embedding model's input limit). @default 300 */
  readonly maxTokens?: number;
  /** Sentences on each side embedded with a sentence when comparing it to the next (0 or 1). @default 0 */
  readonly bufferSize?: number;
  /** Percentile of sentence-pair dissimilarity at which a chunk ends (50-99). @default 95 */
  readonly breakpointPercentileThreshold?: number;
}

/** Options of {@link ChunkingStrategy.hierarchical}. */
export interface HierarchicalChunkingOptions {
  /** Most tokens in a parent chunk (the context returned). @default 1500 */
  readonly parentMaxTokens?: number;
  /** Most tokens in a child chunk (what is embedded and matched; at most the model's input limit). @default 300 */
  readonly childMaxTokens?: number;
  /** Tokens repeated between adjacent chunks of a level. @default 60 */
  readonly overlapTokens?: number;
}

/**
 * How the knowledge base splits documents into chunks before embedding them (Bedrock user guide,
 * "How content chunking works for knowledge bases"). Token counts are the embedding model's
 * tokens: English averages about 4.7 characters per token (Titan Text Embeddings V2 guide), while
 * Japanese, written without spaces, packs far fewer characters into a token (roughly one to two;
 * an estimate, AWS publishes no ratio), so 300 tokens hold a paragraph of English but only a few
 * hundred Japanese characters. Check retrieval quality on your own documents before raising it.
 */
export abstract class ChunkingStrategy {
  /** Fixed-size chunks: the default, predictable for any language. */
  public static fixedSize(options: FixedSizeChunkingOptions = {}): ChunkingStrategy {
    return new FixedSizeChunking(options.maxTokens ?? 300, options.overlapPercentage ?? 20);
  }

  /** Chunks that end where the meaning shifts between sentences (costs embedding calls at ingestion). */
  public static semantic(options: SemanticChunkingOptions = {}): ChunkingStrategy {
    return new SemanticChunking(options.maxTokens ?? 300, options.bufferSize ?? 0, options.breakpointPercentileThreshold ?? 95);
  }

  /** Small child chunks matched, their larger parent chunks returned as context. */
  public static hierarchical(options: HierarchicalChunkingOptions = {}): ChunkingStrategy {
    return new HierarchicalChunking(options.parentMaxTokens ?? 1500, options.childMaxTokens ?? 300, options.overlapTokens ?? 60);
  }

  /** Each document is one chunk (split the documents yourself first; it must fit the model's input). */
  public static none(): ChunkingStrategy {
    return new NoChunking();
  }

  /** The strategy's name in the Bedrock API: FIXED_SIZE, SEMANTIC, HIERARCHICAL or NONE. */
  public abstract readonly strategy: string;

  /** @internal */
  public abstract _render(): bedrock.CfnDataSource.ChunkingConfigurationProperty;

  /** @internal Problems with this strategy for `model`, each naming the option, its value and what is allowed. */
  public abstract _problems(model: EmbeddingModel): string[];
}

function tokenProblem(name: string, value: number, model: EmbeddingModel): string | undefined {
  if (!Number.isInteger(value) || value < 1) return `${name}: ${value} must be a whole number of tokens, 1 or more`;
  if (value > model.maxInputTokens) {
    return `${name}: ${value} tokens exceeds what ${model.displayName} embeds (${model.maxInputTokens} tokens); use at most ${model.maxInputTokens}`;
  }
  return undefined;
}

function rangeProblem(name: string, value: number, range: { readonly min: number; readonly max: number }, unit = ''): string | undefined {
  if (!Number.isInteger(value) || value < range.min || value > range.max) return `${name}: ${value} must be a whole number from ${range.min} to ${range.max}${unit}`;
  return undefined;
}

class FixedSizeChunking extends ChunkingStrategy {
  public readonly strategy = 'FIXED_SIZE';
  constructor(private readonly maxTokens: number, private readonly overlapPercentage: number) {
    super();
  }

  public _render(): bedrock.CfnDataSource.ChunkingConfigurationProperty {
    return { chunkingStrategy: this.strategy, fixedSizeChunkingConfiguration: { maxTokens: this.maxTokens, overlapPercentage: this.overlapPercentage } };
  }

  public _problems(model: EmbeddingModel): string[] {
    return [
      tokenProblem('chunking maxTokens', this.maxTokens, model),
      rangeProblem('chunking overlapPercentage', this.overlapPercentage, KnowledgeBaseFacts.OVERLAP_PERCENTAGE_RANGE, ' percent'),
    ].filter((p): p is string => p !== undefined);
  }
}

class SemanticChunking extends ChunkingStrategy {
  public readonly strategy = 'SEMANTIC';
  constructor(private readonly maxTokens: number, private readonly bufferSize: number, private readonly breakpoint: number) {
    super();
  }

  public _render(): bedrock.CfnDataSource.ChunkingConfigurationProperty {
    return {
      chunkingStrategy: this.strategy,
      semanticChunkingConfiguration: { maxTokens: this.maxTokens, bufferSize: this.bufferSize, breakpointPercentileThreshold: this.breakpoint },
    };
  }

  public _problems(model: EmbeddingModel): string[] {
    return [
      tokenProblem('chunking maxTokens', this.maxTokens, model),
      rangeProblem('chunking bufferSize', this.bufferSize, KnowledgeBaseFacts.SEMANTIC_BUFFER_SIZE_RANGE),
      rangeProblem('chunking breakpointPercentileThreshold', this.breakpoint, KnowledgeBaseFacts.SEMANTIC_BREAKPOINT_RANGE),
    ].filter((p): p is string => p !== undefined);
  }
}

class HierarchicalChunking extends ChunkingStrategy {
  public readonly strategy = 'HIERARCHICAL';
  constructor(private readonly parentMaxTokens: number, private readonly childMaxTokens: number, private readonly overlapTokens: number) {
    super();
  }

  public _render(): bedrock.CfnDataSource.ChunkingConfigurationProperty {
    // Two levels, parent first (Bedrock API reference, HierarchicalChunkingConfiguration levelConfigurations).
    return {
      chunkingStrategy: this.strategy,
      hierarchicalChunkingConfiguration: {
        levelConfigurations: [{ maxTokens: this.parentMaxTokens }, { maxTokens: this.childMaxTokens }],
        overlapTokens: this.overlapTokens,
      },
    };
  }

  public _problems(model: EmbeddingModel): string[] {
    const problems = [tokenProblem('chunking childMaxTokens', this.childMaxTokens, model)];
    if (!Number.isInteger(this.parentMaxTokens) || this.parentMaxTokens <= this.childMaxTokens) {
      problems.push(`chunking parentMaxTokens: ${this.parentMaxTokens} must be a whole number larger than childMaxTokens (${this.childMaxTokens})`);
    }
    if (!Number.isInteger(this.overlapTokens) || this.overlapTokens < 1 || this.overlapTokens >= this.childMaxTokens) {
      problems.push(`chunking overlapTokens: ${this.overlapTokens} must be a whole number from 1 to less than childMaxTokens (${this.childMaxTokens})`);
    }
    return problems.filter((p): p is string => p !== undefined);
  }
}

class NoChunking extends ChunkingStrategy {
  public readonly strategy = 'NONE';
  public _render(): bedrock.CfnDataSource.ChunkingConfigurationProperty {
    return { chunkingStrategy: this.strategy };
  }

  public _problems(): string[] {
    return [];
  }
}
