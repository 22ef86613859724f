/**
 * The serving backend an instance runs and a model must support: `gpu` is the LMI GPU container
 * (vLLM / lmi-dist on NVIDIA GPUs), `neuron` the LMI neuronx container (transformers-neuronx on
 * AWS Inferentia2).
 */
export type Backend = 'gpu' | 'neuron';

/** Every backend, for iteration and error messages. */
export const BACKENDS: readonly Backend[] = ['gpu', 'neuron'];
