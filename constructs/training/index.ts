// Internal barrel of constructs/training/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './fsdp-training';
export * from './parallel-cluster';
export * from './recipe-instance';
export * from './recipe-scripts';
export * from './shared-storage';
export * from './neuron-megatron-pretraining';
