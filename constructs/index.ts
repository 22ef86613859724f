export * from './catalog';
export * from './inference';
export * from './network';
export * from './training';
export * from './rag';

// The chat page for the RAG API (issue 11).
export { ChatLanguage, RagChatWebsite, type RagChatWebsiteProps } from './web/chat-website';
export { RagChatUserPool, type RagChatUserPoolProps } from './web/chat-user-pool';
