export * from './catalog';
export * from './inference';
export * from './network';
export * from './training';
export * from './rag';
