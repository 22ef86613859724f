/**
 * The serving backend an instance runs and a model must support: the LMI GPU container on NVIDIA
 * GPUs (vLLM / lmi-dist), or the LMI neuronx container on AWS Inferentia2 (transformers-neuronx).
 */
export enum LmiBackend {
  /** The LMI GPU container (vLLM on NVIDIA GPUs). */
  GPU = 'gpu',
  /** The LMI neuronx container (transformers-neuronx on AWS Inferentia2). */
  NEURON = 'neuron',
}
