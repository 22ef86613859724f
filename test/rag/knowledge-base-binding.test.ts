import type { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { configFromEnv, createHandler } from '../../constructs/rag/handler';
import { KnowledgeBaseRagStack } from '../../lib/knowledge-base-rag-stack';
import { FakeRagServices, knowledgeBaseResult, lmiAnswer } from '../util/fake-rag-services';
import { templateOf, unitTestApp } from '../util/synth';

/**
 * The two halves of the knowledge-base retriever agree: the environment that VectorKnowledgeBase and
 * its importer bind into the RagApi handler, as the synthesized template holds it, is what the
 * handler reads to choose the knowledge-base retriever, and the knowledge base it then calls is the
 * one the handler's role may retrieve from.
 */

/** What CloudFormation and Lambda make of the template's values at deploy time. */
const DEPLOYED_KB_ID = 'KB12345678';
const DEPLOYED_ENDPOINT = 'falcon-40b-endpoint';
const LAMBDA_REGION = 'us-east-1';

interface Synthesized {
  readonly stack: KnowledgeBaseRagStack;
  readonly template: Template;
  /** The RAG handler's environment variables, as the template holds them. */
  readonly variables: { [name: string]: unknown };
  /** The handler role's policy statements. */
  readonly statements: Array<{ Action: unknown; Resource: unknown }>;
}

function synthesize(props: { knowledgeBaseId?: string }): Synthesized {
  const stack = new KnowledgeBaseRagStack(unitTestApp(), 'KnowledgeBaseRag', props);
  const template = templateOf(stack);
  const resources = template.toJSON().Resources as { [id: string]: { Type: string; Properties: Record<string, unknown> } };
  const fn = resources[stack.getLogicalId(stack.api.handler.node.defaultChild as lambda.CfnFunction)];
  const variables = (fn.Properties.Environment as { Variables: { [name: string]: unknown } }).Variables;
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify(stack.resolve([stack.api.handler.role!.roleName])))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement);
  return { stack, template, variables, statements };
}

/**
 * The environment Lambda gives the function: each template value, with the intrinsics in
 * `deployed` replaced by what they resolve to, and AWS_REGION (set by Lambda). Any other intrinsic
 * fails the test: the handler would read a value this test does not know.
 */
function lambdaEnvironment(variables: { [name: string]: unknown }, deployed: Array<[unknown, string]>): { [name: string]: string } {
  const env: { [name: string]: string } = { AWS_REGION: LAMBDA_REGION };
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') {
      env[name] = value;
      continue;
    }
    const found = deployed.find(([intrinsic]) => JSON.stringify(intrinsic) === JSON.stringify(value));
    if (!found) throw new Error(`${name} is an intrinsic this test does not resolve: ${JSON.stringify(value)}`);
    env[name] = found[1];
  }
  return env;
}

/** Asks one question through a handler built from `env`, against the loopback fakes; returns the status. */
async function ask(fake: FakeRagServices, env: { [name: string]: string }): Promise<number> {
  fake.routes.KnowledgeBaseRetrieve = () => knowledgeBaseResult([{ uri: 's3://docs/travel.md', content: 'Book travel through the Travel Desk.' }]);
  fake.routes.InvokeEndpoint = () => lmiAnswer('Through the Travel Desk [1].');
  const handler = createHandler({
    config: configFromEnv(env),
    // Both retrievers' clients point at the fake: the requests it receives show which one was chosen.
    kendraClientConfig: fake.clientConfig(),
    knowledgeBaseClientConfig: fake.knowledgeBaseClientConfig(),
    runtimeClientConfig: fake.clientConfig(),
    log: () => undefined,
  });
  const res = await handler({ body: JSON.stringify({ question: 'How do I book travel?' }) }, { getRemainingTimeInMillis: () => 25000 });
  return res.statusCode;
}

const fake = new FakeRagServices();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe('VectorKnowledgeBase bound into RagApi (KnowledgeBaseRag, a new knowledge base)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({});
  });

  test('binds KNOWLEDGE_BASE_ID, the knowledge base resource\'s id, and no Kendra index', () => {
    const kb = s.stack.knowledgeBase!;
    const kbLogicalId = s.stack.getLogicalId(kb.knowledgeBase);
    expect(s.template.toJSON().Resources[kbLogicalId].Type).toBe('AWS::Bedrock::KnowledgeBase');
    expect(s.variables.KNOWLEDGE_BASE_ID).toEqual({ 'Fn::GetAtt': [kbLogicalId, 'KnowledgeBaseId'] });
    expect(s.variables).not.toHaveProperty('KENDRA_INDEX_ID');
  });

  test('the handler reads that environment as the knowledge-base retriever and queries that knowledge base', async () => {
    const env = lambdaEnvironment(s.variables, [
      [s.stack.resolve(s.stack.knowledgeBase!.knowledgeBaseId), DEPLOYED_KB_ID],
      [s.stack.resolve(s.stack.endpoint.endpointName), DEPLOYED_ENDPOINT],
    ]);
    const config = configFromEnv(env);
    expect(config.knowledgeBaseId).toBe(DEPLOYED_KB_ID);
    expect(config.kendraIndexId).toBeUndefined();

    expect(await ask(fake, env)).toBe(200);
    expect(fake.calls('KnowledgeBaseRetrieve').map((r) => r.knowledgeBaseId)).toEqual([DEPLOYED_KB_ID]);
    expect([...fake.calls('Retrieve'), ...fake.calls('Query')]).toEqual([]);
  });

  test('the handler\'s role may retrieve from exactly the knowledge base it is told to query', () => {
    const retrieve = s.statements.filter((st) => JSON.stringify(st.Action).includes('bedrock:'));
    expect(retrieve).toEqual([expect.objectContaining({ Action: 'bedrock:Retrieve', Resource: s.stack.resolve(s.stack.knowledgeBase!.knowledgeBaseArn) })]);
    // The ARN is the same resource's: its GetAtt, not a second way of naming it.
    expect(JSON.stringify(retrieve[0].Resource)).toContain(JSON.stringify(s.stack.getLogicalId(s.stack.knowledgeBase!.knowledgeBase)));
  });
});

describe('VectorKnowledgeBase.fromKnowledgeBaseId bound into RagApi (KnowledgeBaseRag, knowledgeBaseId)', () => {
  const GIVEN_ID = 'ABCDE12345';
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ knowledgeBaseId: GIVEN_ID });
  });

  test('binds KNOWLEDGE_BASE_ID, the given id as a literal, and no Kendra index', () => {
    expect(s.variables.KNOWLEDGE_BASE_ID).toBe(GIVEN_ID);
    expect(s.variables).not.toHaveProperty('KENDRA_INDEX_ID');
  });

  test('the handler reads that environment as the knowledge-base retriever and queries the given knowledge base', async () => {
    const env = lambdaEnvironment(s.variables, [[s.stack.resolve(s.stack.endpoint.endpointName), DEPLOYED_ENDPOINT]]);
    const config = configFromEnv(env);
    expect(config.knowledgeBaseId).toBe(GIVEN_ID);
    expect(config.kendraIndexId).toBeUndefined();

    expect(await ask(fake, env)).toBe(200);
    expect(fake.calls('KnowledgeBaseRetrieve').map((r) => r.knowledgeBaseId)).toEqual([GIVEN_ID]);
    expect([...fake.calls('Retrieve'), ...fake.calls('Query')]).toEqual([]);
  });

  test('the handler\'s role may retrieve from exactly the given knowledge base', () => {
    const retrieve = s.statements.filter((st) => JSON.stringify(st.Action).includes('bedrock:'));
    expect(retrieve).toHaveLength(1);
    expect(retrieve[0].Action).toBe('bedrock:Retrieve');
    expect(JSON.stringify(retrieve[0].Resource)).toMatch(new RegExp(`:knowledge-base/${GIVEN_ID}"`));
  });
});
