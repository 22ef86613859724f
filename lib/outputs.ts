import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { KendraIndex, LmiEndpoint, LoraFineTuning, ParallelCluster, RagApi } from '../constructs';

// Outputs live at stack scope with constant IDs, so their logical IDs (the keys `aws cloudformation
// describe-stacks` and the README quote) carry no hash.

/** `EndpointName` and `InvokeCommand` of an LMI endpoint. */
export function addEndpointOutputs(stack: Stack, endpoint: LmiEndpoint, modelName: string): void {
  new CfnOutput(stack, 'EndpointName', { description: `SageMaker endpoint serving ${modelName}`, value: endpoint.endpointName });
  new CfnOutput(stack, 'InvokeCommand', { description: `Invoke ${modelName} once the endpoint is InService (AWS CLI v2)`, value: endpoint.invokeCommand });
}

/** `ApiUrl` and `SignedRequestExample` of the RAG API. */
export function addRagApiOutputs(stack: Stack, api: RagApi): void {
  new CfnOutput(stack, 'ApiUrl', { description: 'POST {"question": "..."} here, signed with SigV4 (IAM authorization)', value: api.url });
  new CfnOutput(stack, 'SignedRequestExample', {
    description: 'A SigV4-signed request with your AWS credentials (curl 7.75 or later)', value: api.signedRequestExample,
  });
}

/** `KendraIndexId` and `DocumentsBucketName` of a new Kendra index: where documents go before the first answer. */
export function addKendraIndexOutputs(stack: Stack, index: KendraIndex): void {
  new CfnOutput(stack, 'KendraIndexId', { description: 'The new Kendra index; its S3 data source syncs the documents bucket daily, or at once from the Kendra console', value: index.indexId });
  new CfnOutput(stack, 'DocumentsBucketName', { description: 'Upload the documents to answer from here (aws s3 cp --recursive ./docs s3://<bucket>/); answers cite them after the next sync', value: index.documentsBucket.bucketName });
}

/** `HeadNodeInstanceId`, `ConnectCommand` and `ClusterValidationMessages` of a ParallelCluster. */
export function addClusterOutputs(stack: Stack, cluster: ParallelCluster): void {
  new CfnOutput(stack, 'HeadNodeInstanceId', { description: `Head node of ParallelCluster ${cluster.clusterName}`, value: cluster.headNodeInstanceId });
  new CfnOutput(stack, 'ConnectCommand', { description: 'Open a shell on the head node (Session Manager; no SSH)', value: cluster.connectCommand });
  new CfnOutput(stack, 'ClusterValidationMessages', { description: 'ParallelCluster validation messages', value: cluster.validationMessages });
}

/** `FineTuningBucketName`, `FineTuningStateMachineArn` and `FineTuningNextSteps` of a LoRA fine-tuning recipe (the `finetune` CLI reads the first two). */
export function addFineTuningOutputs(stack: Stack, fineTuning: LoraFineTuning): void {
  new CfnOutput(stack, 'FineTuningBucketName', { description: 'Training data goes to data/; runs write checkpoints/<run>/ and output/<run>/output/model/', value: fineTuning.bucket.bucketName });
  new CfnOutput(stack, 'FineTuningStateMachineArn', { description: 'Start a run: one execution per run, its name the training job name', value: fineTuning.stateMachine.stateMachineArn });
  new CfnOutput(stack, 'FineTuningNextSteps', {
    description: 'Upload data, start a run, watch it (llm-recipes CLI)',
    value: `llm-recipes finetune upload train.jsonl --stack ${stack.stackName} && llm-recipes finetune start --stack ${stack.stackName} && llm-recipes finetune status --stack ${stack.stackName}`,
  });
}
