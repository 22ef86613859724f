import { EmbeddingModel } from '../../constructs';
import { KnowledgeBaseFacts } from '../../constructs/catalog/knowledge-bases';

describe('EmbeddingModel', () => {
  test('presets carry the documented facts: Titan V2 8,192 tokens at 1,024/512/256 dimensions, Cohere Multilingual v3 512 tokens at 1,024', () => {
    expect(EmbeddingModel.TITAN_TEXT_V2_1024).toMatchObject({ modelId: 'amazon.titan-embed-text-v2:0', dimensions: 1024, maxInputTokens: 8192, supportedDimensions: [1024, 512, 256], configurableDimensions: true });
    expect(EmbeddingModel.TITAN_TEXT_V2_512.dimensions).toBe(512);
    expect(EmbeddingModel.TITAN_TEXT_V2_256.dimensions).toBe(256);
    expect(EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3).toMatchObject({ modelId: 'cohere.embed-multilingual-v3', dimensions: 1024, maxInputTokens: 512, configurableDimensions: false });
  });

  test('every preset name of the recipe context resolves, and of() round-trips each preset', () => {
    const presets = EmbeddingModel.presets();
    expect(Object.keys(presets)).toEqual(['titan-text-v2', 'titan-text-v2-512', 'titan-text-v2-256', 'cohere-embed-multilingual-v3']);
    for (const model of Object.values(presets)) {
      expect(EmbeddingModel.of(model.modelId, model.dimensions)).toMatchObject({ modelId: model.modelId, dimensions: model.dimensions, maxInputTokens: model.maxInputTokens });
    }
  });

  test('modelArn is a foundation-model ARN without an account', () => {
    expect(EmbeddingModel.COHERE_EMBED_MULTILINGUAL_V3.modelArn('aws', 'ap-northeast-1')).toBe('arn:aws:bedrock:ap-northeast-1::foundation-model/cohere.embed-multilingual-v3');
  });

  test('custom() takes a model the catalog does not list', () => {
    const model = EmbeddingModel.custom({ modelId: 'cohere.embed-v4:0', dimensions: 1536, maxInputTokens: 128000, configurableDimensions: true });
    expect(model).toMatchObject({ modelId: 'cohere.embed-v4:0', dimensions: 1536, supportedDimensions: [1536], configurableDimensions: true });
  });
});

describe('KnowledgeBaseFacts', () => {
  test('the region list is sorted, unique, and holds Tokyo and the US regions of the talk', () => {
    expect([...KnowledgeBaseFacts.REGIONS]).toEqual([...new Set(KnowledgeBaseFacts.REGIONS)].sort());
    expect(KnowledgeBaseFacts.REGIONS).toEqual(expect.arrayContaining(['ap-northeast-1', 'us-east-1', 'us-west-2']));
    expect(KnowledgeBaseFacts.REGIONS).not.toContain('us-west-1');
  });

  test.each([['ABCDE12345', true], ['abcde12345', true], ['ABCDE1234', false], ['ABCDE-1234', false]])('knowledge base ID %s matches: %s', (id, ok) => {
    expect(KnowledgeBaseFacts.KNOWLEDGE_BASE_ID_PATTERN.test(id)).toBe(ok);
  });

  test.each([['docs', true], ['d0c', true], ['abc-def.1', true], ['ab', false], ['Docs', false], ['-docs', false], ['docs_1', false]])('S3 vector index name %s matches: %s', (name, ok) => {
    expect(KnowledgeBaseFacts.S3_VECTORS_INDEX_NAME_PATTERN.test(name)).toBe(ok);
  });
});
