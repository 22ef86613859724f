import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { IKnowledgeBase, KendraIndex, LmiEndpoint, LoraFineTuning, ParallelCluster, RagApi, RagChatUserPool, RagChatWebsite, VectorKnowledgeBase } from '../constructs';

// Outputs live at stack scope with constant IDs, so their logical IDs (the keys `aws cloudformation
// describe-stacks` and the README quote) carry no hash.

/** `EndpointName` and `InvokeCommand` of an LMI endpoint, at stack scope (LmiEndpoint.addOutputs). */
export function addEndpointOutputs(stack: Stack, endpoint: LmiEndpoint): void {
  endpoint.addOutputs({ scope: stack });
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

/**
 * `KnowledgeBaseId`, and for a new knowledge base `DataSourceId` and `DocumentsBucketName`: where
 * documents go and what to sync before the first answer.
 */
export function addKnowledgeBaseOutputs(stack: Stack, knowledgeBase: IKnowledgeBase, created?: VectorKnowledgeBase): void {
  new CfnOutput(stack, 'KnowledgeBaseId', { description: 'The Bedrock knowledge base; sync it with: llm-recipes kb sync <id>', value: knowledgeBase.knowledgeBaseId });
  if (!created) return;
  new CfnOutput(stack, 'DataSourceId', { description: 'The S3 data source of the knowledge base (StartIngestionJob takes it)', value: created.dataSourceId });
  new CfnOutput(stack, 'DocumentsBucketName', {
    description: 'Upload the documents to answer from here (aws s3 cp --recursive ./docs s3://<bucket>/), then run llm-recipes kb sync <KnowledgeBaseId>',
    value: created.documentsBucket.bucketName,
  });
}

/**
 * The outputs of a RAG recipe with the chat page: `ChatUrl`, `ApiUrl` (Cognito authorization),
 * `UserPoolId` and `CreateUserCommand` (users are invited by an administrator).
 */
export function addChatOutputs(stack: Stack, api: RagApi, chat: RagChatWebsite, users: RagChatUserPool): void {
  new CfnOutput(stack, 'ChatUrl', { description: 'The chat page: sign in with a user of the user pool (see CreateUserCommand)', value: chat.url });
  new CfnOutput(stack, 'ApiUrl', { description: 'POST {"question": "..."} here with a Cognito ID token in the Authorization header; the chat page calls it under ChatUrl', value: api.url });
  new CfnOutput(stack, 'UserPoolId', { description: 'The Cognito user pool of the chat page\'s users', value: users.userPool.userPoolId });
  new CfnOutput(stack, 'CreateUserCommand', { description: 'Invite a user (Cognito emails a temporary password; the first sign-in sets a password and an authenticator app)', value: users.createUserCommand });
}

/**
 * `FineTuningBucketName`, `FineTuningStateMachineArn`, `FineTuningRunLimits` and `FineTuningNextSteps` of a
 * LoRA fine-tuning recipe (the `finetune` CLI reads the first three).
 */
export function addFineTuningOutputs(stack: Stack, fineTuning: LoraFineTuning): void {
  new CfnOutput(stack, 'FineTuningBucketName', { description: 'Training data goes to data/; runs write checkpoints/<run>/ and output/<run>/output/model/', value: fineTuning.bucket.bucketName });
  new CfnOutput(stack, 'FineTuningStateMachineArn', { description: 'Start a run: one execution per run, its name the training job name', value: fineTuning.stateMachine.stateMachineArn });
  new CfnOutput(stack, 'FineTuningRunLimits', {
    description: 'The most a run may ask for: the maxSeqLength and loraRank the deploy-time memory check sized (finetune start checks them)',
    value: JSON.stringify({ maxSeqLength: fineTuning.settings.maxSequenceLength, loraRank: fineTuning.settings.loraRank }),
  });
  // `finetune status` takes the run name and no --stack (bin/cli/finetune.ts): the run name is the training job's.
  new CfnOutput(stack, 'FineTuningNextSteps', {
    description: 'Upload data, start a run, watch it (llm-recipes CLI); pick a new RUN for each run',
    value: `RUN=run-1 && llm-recipes finetune upload train.jsonl --stack ${stack.stackName} && llm-recipes finetune start --stack ${stack.stackName} --run-name $RUN && llm-recipes finetune status $RUN`,
  });
}
