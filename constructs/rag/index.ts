export * from './rag-api';
export * from './retriever';
