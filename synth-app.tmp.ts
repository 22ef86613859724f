import { App, Stack } from 'aws-cdk-lib';
import { KendraRetriever, LmiEndpoint, RagApi, RagApiAuthorization } from './constructs';
import { FALCON_7B } from './constructs/catalog';

const app = new App({ outdir: process.env.OUT });
const stack = new Stack(app, 'ConsumerStack');
const endpoint = new LmiEndpoint(stack, 'Llm', { model: FALCON_7B, instanceType: 'ml.g5.12xlarge' });
new RagApi(stack, 'Rag', { retriever: KendraRetriever.fromIndexId('0123abcd-4567-89ef-0123-456789abcdef'), endpoint, authorization: RagApiAuthorization.iam() });
app.synth();
