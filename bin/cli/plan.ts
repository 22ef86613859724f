import {
  cheapestServingFit, compactNumber, DEFAULT_MFU, findHostingInstance, fsdpHostMemoryError, findMegatronPreset, findModelPreset, findTrainingInstance,
  HOSTING_INSTANCES, imageUri, LMI_IMAGES, MEGATRON_GPT3_PRESETS, megatronNodesError, MODEL_PRESETS, planTraining,
  LmiBackend, LmiDtype, rankServingFits, servingFit,
  TRAINING_INSTANCES, TRAINING_PRICES_AS_OF, PRICES_AS_OF, TrainingAccelerator, type FitReport, type ModelSpec,
} from '../../constructs/catalog';
import { recipeInstance } from '../../constructs/training/recipe-instance';
import { checkOptions, checkPositionals, numberOption, stringOption, UsageError, type ParsedArgs } from './args';
import { duration, table, usd } from './format';

/** What a command prints: text for people, or a value for --json. */
export interface CommandOutput {
  readonly text: string;
  readonly json: unknown;
}

const ZERO_REVISION = '0'.repeat(40);

/**
 * A model from the catalog by name, or a custom one from --params/--layers/--heads/--kv-heads
 * (with --hidden, --context, --dtype and --neuron optional).
 */
function modelFrom(parsed: ParsedArgs): ModelSpec {
  const name = parsed.positionals[0];
  const params = numberOption(parsed, 'params', { min: 1 });
  if (params === undefined) {
    if (!name) throw new UsageError('name a catalog model or describe one with --params, --layers, --heads and --kv-heads');
    const preset = findModelPreset(name);
    if (!preset) throw new UsageError(`'${name}' is not a catalog model; known: ${MODEL_PRESETS.map((m) => m.name).join(', ')}, or describe one with --params`);
    return preset;
  }
  const layers = numberOption(parsed, 'layers', { min: 1, integer: true });
  const heads = numberOption(parsed, 'heads', { min: 1, integer: true });
  const kvHeads = numberOption(parsed, 'kv-heads', { min: 1, integer: true }) ?? heads;
  if (layers === undefined || heads === undefined || kvHeads === undefined) throw new UsageError('a custom model needs --params, --layers and --heads (and --kv-heads unless it equals --heads)');
  if (heads % kvHeads !== 0) throw new UsageError(`--kv-heads ${kvHeads} must divide --heads ${heads}`);
  // Without --hidden, a decoder's parameters are about 12·layers·hidden² (attention 4h², MLP 8h²).
  const hidden = numberOption(parsed, 'hidden', { min: 1, integer: true })
    ?? Math.max(heads, Math.round(Math.sqrt(params / (12 * layers)) / heads) * heads);
  if (hidden % heads !== 0) throw new UsageError(`--hidden ${hidden} must be a multiple of --heads ${heads}`);
  const dtypeText = stringOption(parsed, 'dtype') ?? LmiDtype.BF16;
  const dtype = Object.values(LmiDtype).find((d) => d === dtypeText);
  if (dtype === undefined) throw new UsageError(`--dtype '${dtypeText}' must be one of ${Object.values(LmiDtype).join(', ')}`);
  return {
    name: name ?? 'custom',
    huggingFaceId: 'custom/custom',
    revision: ZERO_REVISION,
    parameters: params,
    layers,
    hiddenSize: hidden,
    attentionHeads: heads,
    kvHeads,
    contextLength: numberOption(parsed, 'context', { min: 1, integer: true }) ?? 2048,
    dtype,
    license: 'unknown',
    backends: parsed.options.neuron === true ? [LmiBackend.GPU, LmiBackend.NEURON] : [LmiBackend.GPU],
  };
}

function imageFor(backend: LmiBackend, region: string): string {
  return imageUri(backend, LMI_IMAGES[backend].defaultTag, region) ?? `not published in ${region}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Options of `plan inference`. */
export const PLAN_INFERENCE_OPTIONS = ['instance', 'region', 'params', 'layers', 'heads', 'kv-heads', 'hidden', 'context', 'dtype', 'neuron', 'json'];

/** `plan inference <model> [--instance <type>] [--region <r>]`. */
export function planInference(parsed: ParsedArgs): CommandOutput {
  checkOptions(parsed, PLAN_INFERENCE_OPTIONS);
  checkPositionals(parsed, 1);
  const model = modelFrom(parsed);
  const region = stringOption(parsed, 'region') ?? 'us-east-1';
  if (!/^[a-z]+(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`--region '${region}' is not a region name such as us-east-1`);
  const only = stringOption(parsed, 'instance');
  if (only !== undefined && !findHostingInstance(only)) throw new UsageError(`--instance '${only}' is not a catalog instance; use one of ${HOSTING_INSTANCES.map((i) => i.instanceType).join(', ')}`);

  const reports: FitReport[] = only ? [servingFit(model, findHostingInstance(only)!)] : rankServingFits(model);
  const cheapest = cheapestServingFit(model);
  const rows = reports.map((r) => ({
    instanceType: r.instance.instanceType,
    backend: r.instance.backend,
    devices: `${r.instance.devices} x ${r.instance.accelerator}${r.instance.backend === LmiBackend.NEURON ? ' core' : ''}`,
    fits: r.fits,
    cheapest: r === cheapest || (cheapest !== undefined && r.instance.instanceType === cheapest.instance.instanceType),
    tensorParallelDegree: r.fits ? r.tensorParallelDegree : undefined,
    requiredGiB: round1(r.requiredGiB),
    availableGiB: round1(r.availableGiB),
    headroomGiB: r.fits ? round1(r.headroomGiB) : undefined,
    pricePerHourUsd: r.instance.pricePerHourUsd,
    image: imageFor(r.instance.backend, region),
    reason: r.reason,
  }));
  const json = {
    model: { name: model.name, parameters: model.parameters, layers: model.layers, hiddenSize: model.hiddenSize, attentionHeads: model.attentionHeads, kvHeads: model.kvHeads, contextLength: model.contextLength, dtype: model.dtype, backends: model.backends },
    region,
    pricesAsOf: PRICES_AS_OF,
    cheapestFit: cheapest?.instance.instanceType ?? null,
    instances: rows,
  };
  const fits = rows.filter((r) => r.fits);
  const misses = rows.filter((r) => !r.fits);
  const lines = [
    `${model.name}: ${compactNumber(model.parameters)} parameters, ${model.layers} layers, ${model.attentionHeads} heads (${model.kvHeads} KV), ${model.contextLength} context, ${model.dtype}; serves on ${model.backends.join(', ')}`,
    '',
  ];
  if (fits.length > 0) {
    lines.push('Fits (weights + KV cache + runtime within 90% of device memory):');
    lines.push(table(
      ['', 'instance', 'devices', 'TP', 'need GiB', 'have GiB', 'headroom', '$/hour'],
      fits.map((r) => [r.cheapest ? '*' : '', r.instanceType, r.devices, String(r.tensorParallelDegree), r.requiredGiB.toFixed(1), r.availableGiB.toFixed(1), `${r.headroomGiB?.toFixed(1)} GiB`, r.pricePerHourUsd === undefined ? 'n/a' : r.pricePerHourUsd.toFixed(2)]),
      [3, 4, 5, 6, 7],
    ));
    if (cheapest) lines.push(`* cheapest fit: ${cheapest.instance.instanceType} (us-east-1 on-demand prices of ${PRICES_AS_OF})`);
    const images = [...new Set(fits.map((r) => `${r.backend}: ${r.image}`))];
    lines.push('', `LMI image in ${region}:`, ...images.map((i) => `  ${i}`));
  } else {
    lines.push(only ? `${model.name} does not fit ${only}.` : `No catalog instance fits ${model.name}.`);
  }
  if (misses.length > 0) {
    lines.push('', 'Does not fit:');
    lines.push(...misses.map((r) => `  ${r.instanceType.padEnd(18)} ${r.reason}`));
  }
  return { text: lines.join('\n'), json };
}

function nodeSeries(nodes: number): number[] {
  return [...new Set([nodes / 4, nodes / 2, nodes, nodes * 2, nodes * 4].map((n) => Math.round(n)).filter((n) => n >= 1))].sort((a, b) => a - b);
}

/** Options of `plan training`. */
export const PLAN_TRAINING_OPTIONS = ['params', 'tokens', 'instance', 'nodes', 'mfu', 'preset', 'json'];

/**
 * `plan training --params <N> --tokens <D> --instance <type> --nodes <n> [--mfu 0.4]` or `--preset <name>`.
 * A preset is a NeuronMegatronPretraining preset: its instance and node count pass the construct's
 * own checks, with the construct's messages.
 */
export function planTrainingCommand(parsed: ParsedArgs): CommandOutput {
  checkOptions(parsed, PLAN_TRAINING_OPTIONS);
  checkPositionals(parsed, 0);
  const presetName = stringOption(parsed, 'preset');
  const preset = presetName === undefined ? undefined : findMegatronPreset(presetName);
  if (presetName !== undefined && !preset) throw new UsageError(`--preset '${presetName}' is not one of ${MEGATRON_GPT3_PRESETS.map((p) => p.name).join(', ')}`);
  if (preset && parsed.options.params !== undefined) throw new UsageError(`give --preset or --params, not both: --preset ${preset.name} has ${compactNumber(preset.parameters)} parameters`);
  const params = numberOption(parsed, 'params', { min: 1 }) ?? preset?.parameters;
  if (params === undefined) throw new UsageError('give --params (model parameters, for example 70e9) or --preset');
  const tokens = numberOption(parsed, 'tokens', { min: 1 });
  const instanceType = stringOption(parsed, 'instance') ?? (preset ? 'trn1.32xlarge' : undefined);
  if (instanceType === undefined) throw new UsageError(`give --instance (${TRAINING_INSTANCES.map((i) => i.instanceType).join(', ')})`);
  if (!findTrainingInstance(instanceType)) throw new UsageError(`--instance '${instanceType}' is not a training instance; known: ${TRAINING_INSTANCES.map((i) => i.instanceType).join(', ')}`);
  const nodes = numberOption(parsed, 'nodes', { min: 1, integer: true }) ?? preset?.defaultNodes;
  if (nodes === undefined) throw new UsageError('give --nodes (instances in the cluster)');
  if (preset) {
    const instance = recipeInstance(instanceType, TrainingAccelerator.TRAINIUM);
    const refusal = typeof instance === 'string' ? instance : megatronNodesError(preset, nodes, instance);
    if (refusal) throw new UsageError(`--preset ${preset.name} is a NeuronMegatronPretraining preset, which refuses this: ${refusal}`);
  }
  const mfu = numberOption(parsed, 'mfu', { min: 0.01, max: 1 }) ?? DEFAULT_MFU;

  const plan = planTraining({ parameters: params, tokens, instanceType, nodes, mfu });
  // A GPU plan without a preset is what FsdpTraining would run: say so where that recipe refuses it.
  const fsdpRefusal = plan.instance.accelerator === TrainingAccelerator.GPU ? fsdpHostMemoryError(`a ${compactNumber(params)}-parameter model`, params, plan.instance) : undefined;
  const series = nodeSeries(nodes).map((n) => planTraining({ parameters: params, tokens, instanceType, nodes: n, mfu }));
  const json = {
    preset: preset?.name ?? null,
    parameters: plan.parameters, tokens: plan.tokens, chinchillaTokens: plan.chinchillaTokens, flops: plan.flops,
    instanceType, nodes, accelerators: plan.accelerators, mfu, seconds: plan.seconds, days: plan.days,
    clusterPricePerHourUsd: plan.clusterPricePerHourUsd ?? null, costUsd: plan.costUsd ?? null, pricesAsOf: TRAINING_PRICES_AS_OF,
    byNodes: series.map((p) => ({ nodes: p.nodes, days: p.days, costUsd: p.costUsd ?? null })),
    fsdpTrainingRefusal: fsdpRefusal ?? null,
  };
  const text = [
    `${preset ? `${preset.name}: ` : ''}${compactNumber(params)} parameters on ${compactNumber(plan.tokens)} tokens${tokens === undefined ? ' (Chinchilla-optimal, 20 per parameter)' : ''}`,
    `compute       C = 6·N·D = ${plan.flops.toExponential(2)} FLOPs`,
    `Chinchilla    ${compactNumber(plan.chinchillaTokens)} tokens would be compute-optimal for ${compactNumber(params)} parameters`,
    `cluster       ${nodes} x ${instanceType} = ${plan.accelerators} x ${plan.instance.acceleratorName}, ${Math.round(mfu * 100)}% MFU`,
    `wall time     ${duration(plan.seconds)} (${plan.days.toFixed(1)} days)`,
    `cost          ${usd(plan.costUsd)} on demand (${usd(plan.clusterPricePerHourUsd)}/h, prices of ${TRAINING_PRICES_AS_OF})`,
    '',
    table(['nodes', 'accelerators', 'wall time', 'cost'],
      series.map((p) => [String(p.nodes), String(p.accelerators), duration(p.seconds), usd(p.costUsd)]), [0, 1, 2, 3]),
    ...(fsdpRefusal ? ['', `note: the FsdpTraining recipe refuses this: ${fsdpRefusal}`] : []),
  ].join('\n');
  return { text, json };
}
