import { findTrainingInstance, TRAINING_INSTANCES, TrainingAccelerator, type TrainingInstance } from '../catalog';

/** The training catalog's instance types of one accelerator family, in catalog order. */
export function trainingInstanceTypes(accelerator: TrainingAccelerator): string[] {
  return TRAINING_INSTANCES.filter((i) => i.accelerator === accelerator).map((i) => i.instanceType);
}

/** The construct of each accelerator family, named when an instance type lands in the wrong recipe. */
const RECIPE_OF: Readonly<Record<TrainingAccelerator, string>> = {
  [TrainingAccelerator.GPU]: 'FsdpTraining',
  [TrainingAccelerator.TRAINIUM]: 'NeuronMegatronPretraining',
};

/**
 * The catalog entry of `instanceType` when it belongs to a recipe of `accelerator`; otherwise an
 * error message that names the allowed types and, for a type of the other family, its recipe.
 */
export function recipeInstance(instanceType: string, accelerator: TrainingAccelerator): TrainingInstance | string {
  const instance = findTrainingInstance(instanceType);
  if (instance?.accelerator === accelerator) return instance;
  const other = instance ? ` (a ${instance.accelerator === TrainingAccelerator.GPU ? 'GPU' : 'Trainium'} type: use ${RECIPE_OF[instance.accelerator]})` : '';
  const family = accelerator === TrainingAccelerator.GPU ? 'GPU' : 'Trainium';
  return `instanceType: '${instanceType}' is not a ${family} type of this recipe${other}; use ${trainingInstanceTypes(accelerator).join(' or ')}`;
}
