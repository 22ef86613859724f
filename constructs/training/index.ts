export * from './fsdp-training';
export * from './parallel-cluster';
export * from './recipe-instance';
export * from './recipe-scripts';
export * from './shared-storage';
export * from './neuron-megatron-pretraining';
