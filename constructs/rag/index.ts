export * from './rag-api';
export * from './retriever';
export * from './kendra-index';
