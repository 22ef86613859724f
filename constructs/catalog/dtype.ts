/**
 * The numeric type a model's weights are published in and LMI serves it in (`OPTION_DTYPE`). Both
 * take 2 bytes per parameter.
 */
export enum LmiDtype {
  /** IEEE half precision. */
  FP16 = 'fp16',
  /** bfloat16 (not on Inferentia2's transformers-neuronx handler's default path; GPUs from Ampere on). */
  BF16 = 'bf16',
}
