export * from './catalog';
export * from './inference';
