import type { Construct } from 'constructs';
import { LmiEndpoint, LmiInstanceType } from '../constructs';
import { FALCON_40B, findHostingInstance } from '../constructs/catalog';

/** The LMI endpoint both RAG recipes put behind their API: Falcon-40B on one ml.g5.48xlarge. */
export const RAG_INSTANCE_TYPE = LmiInstanceType.G5_48XLARGE;

/** The RAG recipes' endpoint (construct ID `Falcon40b`) and the words the stack description uses for it. */
export function ragEndpoint(scope: Construct): { endpoint: LmiEndpoint; description: string } {
  const endpoint = new LmiEndpoint(scope, 'Falcon40b', { model: FALCON_40B, instanceType: RAG_INSTANCE_TYPE });
  const type = RAG_INSTANCE_TYPE.instanceType;
  const cost = `about $${findHostingInstance(type)?.pricePerHourUsd ?? '?'}/h for the endpoint`;
  return { endpoint, description: `Falcon-40B on ${type} (${cost})` };
}
