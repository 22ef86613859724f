import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import {
  availabilityZoneContext, booleanContext, checkContextKeys, integerContext, RECIPE_CONTEXT_KEYS, recipeContextTable, RecipeContextError,
} from '../../lib/context';
import { RECIPE_STACK_IDS } from '../../lib/recipes';

const app = (context: Record<string, unknown>) => new App({ context });

describe('the context key table', () => {
  test('names only recipe stacks, each key once', () => {
    const names = RECIPE_CONTEXT_KEYS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    for (const key of RECIPE_CONTEXT_KEYS) {
      expect(key.stacks.length).toBeGreaterThan(0);
      for (const id of key.stacks) expect(RECIPE_STACK_IDS).toContain(id);
    }
  });

  test('is the README table, word for word', () => {
    expect(fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf-8')).toContain(recipeContextTable());
  });

  test('documents that changing trainingAvailabilityZone replaces the file system', () => {
    expect(RECIPE_CONTEXT_KEYS.find((k) => k.name === 'trainingAvailabilityZone')!.doc).toMatch(/replaces the subnets and so the FSx for Lustre file system/);
  });
});

describe('checkContextKeys', () => {
  test.each([
    ['kendraIndex', 'kendraIndexId'], ['ragwaf', 'ragWaf'], ['fsdpNode', 'fsdpNodes'], ['trainingAvailabilityZon', 'trainingAvailabilityZone'],
  ])('%s gets "did you mean %s"', (typo, meant) => {
    expect(() => checkContextKeys(app({ [typo]: 'x' }))).toThrow(new RegExp(`^context ${typo}: unknown key; did you mean ${meant}\\? known keys: `));
  });

  test('an unknown key with a recipe\'s word is a RecipeContextError naming the key', () => {
    let error: unknown;
    try { checkContextKeys(app({ kendraEditionType: 'x' })); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(RecipeContextError);
    expect((error as RecipeContextError).key).toBe('kendraEditionType');
    expect((error as Error).message).toBe(`context kendraEditionType: unknown key; known keys: ${RECIPE_CONTEXT_KEYS.map((k) => k.name).join(', ')}`);
  });

  test('leaves keys that are not like ours alone: the CDK CLI\'s cdk.context.json entries, other tools\' keys', () => {
    expect(() => checkContextKeys(app({ 'acknowledged-issue-numbers': [32775], 'cli-telemetry': false, colour: 'x' }))).not.toThrow();
  });

  test("leaves the CDK's keys, cdk.json's flags and ours alone", () => {
    expect(() => checkContextKeys(app({
      '@aws-cdk/core:newFlag': true, 'aws:cdk:bundling-stacks': [], 'cdk-default-thing': 1, 'availability-zones:account=1:region=x': [],
      '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true, kendraIndexId: 'abc', ragWaf: 'true',
    }))).not.toThrow();
  });
});

describe('typed context values', () => {
  test.each([['true', true], ['false', false]])('booleanContext reads %p', (raw, value) => {
    expect(booleanContext(app({ ragWaf: raw }), 'ragWaf')).toBe(value);
  });

  test.each(['yes', 'no', '1', 'True'])('booleanContext refuses %p', (raw) => {
    expect(() => booleanContext(app({ ragWaf: raw }), 'ragWaf')).toThrow(`context ragWaf: '${raw}' is not a boolean; use true or false`);
  });

  test('integerContext reads a whole number and refuses others', () => {
    expect(integerContext(app({ fsdpNodes: '4' }), 'fsdpNodes')).toBe(4);
    expect(integerContext(app({}), 'fsdpNodes')).toBeUndefined();
    expect(() => integerContext(app({ fsdpNodes: '4.5' }), 'fsdpNodes')).toThrow(/context fsdpNodes: '4.5' is not a whole number/);
    for (const raw of ['0x2', '1e1', ' 2', '']) {
      expect(() => integerContext(app({ fsdpNodes: raw }), 'fsdpNodes')).toThrow(`context fsdpNodes: '${raw}' is not a whole number`);
    }
  });

  test('availabilityZoneContext accepts a zone of a concrete region, or any zone name without one', () => {
    expect(availabilityZoneContext(app({ z: 'eu-west-1a' }), 'z', 'eu-west-1')).toBe('eu-west-1a');
    expect(availabilityZoneContext(app({ z: 'ap-northeast-1c' }), 'z', undefined)).toBe('ap-northeast-1c');
  });

  test.each([
    ['eu-west-2a', 'eu-west-1', /'eu-west-2a' is not a zone of the stack's region eu-west-1; use one such as eu-west-1a/],
    ['eu-west-1', 'eu-west-1', /'eu-west-1' is not an Availability Zone name/],
    ['euw1-az1', undefined, /zone IDs such as usw2-az1 are not accepted/],
  ])('availabilityZoneContext refuses %p in %p', (zone, region, message) => {
    expect(() => availabilityZoneContext(app({ z: zone }), 'z', region)).toThrow(message);
  });
});
