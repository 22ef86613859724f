export * from './lmi-endpoint';
export { ModelWeights, RollingBatch } from './options';
