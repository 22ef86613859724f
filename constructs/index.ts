export * from './catalog';
export * from './inference';
export * from './network';
export * from './training';
export * from './rag';

// LoRA/QLoRA fine-tuning (issue 12)
export { HuggingFaceTrainingImage } from './catalog/hf-training-images';
export { FineTuningCatalog, LoraMethod, type FineTuningInstance, type FineTuningMemoryOptions, type FineTuningMemoryReport } from './catalog/fine-tuning-sizing';
export { LoraFineTuning } from './training/lora-fine-tuning';
export {
  LoraBaseWeights, LoraOutput, LoraPromptTemplate,
  type LoraFineTuningProps, type LoraHuggingFaceWeightsOptions, type LoraS3WeightsOptions, type ResolvedLoraProps,
} from './training/lora-props';
