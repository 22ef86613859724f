/**
 * The serving backend an instance runs and a model must support: `gpu` is the LMI GPU container
 * (vLLM / lmi-dist on NVIDIA GPUs), `neuron` the LMI neuronx container (transformers-neuronx on
 * AWS Inferentia2).
 */
export type Backend = 'gpu' | 'neuron';

/** Every backend, for iteration and error messages. */
export const BACKENDS: readonly Backend[] = ['gpu', 'neuron'];

/**
 * The serving backend, as the public API takes it: the LMI GPU container on NVIDIA GPUs, or the
 * LMI neuronx container on AWS Inferentia2. Its values are the catalog's {@link Backend} strings.
 */
export enum LmiBackend {
  /** The LMI GPU container (vLLM on NVIDIA GPUs). */
  GPU = 'gpu',
  /** The LMI neuronx container (transformers-neuronx on AWS Inferentia2). */
  NEURON = 'neuron',
}
