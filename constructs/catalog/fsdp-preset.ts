import { FSDP_PRESETS } from './training';

/** A model size of the FSDP recipe's train_fsdp.py. */
export interface FsdpModelPreset {
  /** The name FsdpTraining's `modelPreset` takes, for example `gpt3-1.3b`. */
  readonly name: string;
  /** Parameter count, for the training plan. */
  readonly parameters: number;
}

/** The model sizes the FSDP recipe (FsdpTraining) trains. */
export class FsdpPreset {
  /** GPT-3 1.3B, FsdpTraining's default. */
  public static readonly GPT3_1_3B: FsdpModelPreset = FsdpPreset.named('gpt3-1.3b');
  /** GPT-3 6.7B. */
  public static readonly GPT3_6_7B: FsdpModelPreset = FsdpPreset.named('gpt3-6.7b');
  /** GPT-3 13B. */
  public static readonly GPT3_13B: FsdpModelPreset = FsdpPreset.named('gpt3-13b');
  /** GPT-3 175B. */
  public static readonly GPT3_175B: FsdpModelPreset = FsdpPreset.named('gpt3-175b');

  /** Every preset, smallest first. */
  public static all(): FsdpModelPreset[] {
    return Object.entries(FSDP_PRESETS).map(([name, parameters]) => ({ name, parameters }));
  }

  /** The preset called `name`, or undefined. */
  public static find(name: string): FsdpModelPreset | undefined {
    return FsdpPreset.all().find((p) => p.name === name);
  }

  private static named(name: string): FsdpModelPreset {
    const preset = FsdpPreset.find(name);
    if (!preset) throw new Error(`FsdpPreset: no preset ${name} in the catalog`);
    return preset;
  }

  private constructor() {}
}
