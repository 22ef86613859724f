import {
  EFA_INSTANCE_TYPES, findHostingInstance, HOSTING_INSTANCES, type HostingInstance, LmiBackend, LmiInstanceType, PRICES_AS_OF,
  supportsEfa, totalDeviceMemoryGiB, TRAINING_INSTANCES,
} from '../../constructs/catalog';

const GPU_INSTANCES = HOSTING_INSTANCES.filter((i) => i.backend === LmiBackend.GPU);
const NEURON_INSTANCES = HOSTING_INSTANCES.filter((i) => i.backend === LmiBackend.NEURON);

function mustFind(instanceType: string): HostingInstance {
  const instance = findHostingInstance(instanceType);
  if (!instance) throw new Error(`test setup: ${instanceType} missing from the catalog`);
  return instance;
}

describe('HOSTING_INSTANCES', () => {
  test('lists both GPU and Inferentia2 instances', () => {
    expect(GPU_INSTANCES.length).toBeGreaterThan(0);
    expect(NEURON_INSTANCES.length).toBeGreaterThan(0);
    expect(GPU_INSTANCES.length + NEURON_INSTANCES.length).toBe(HOSTING_INSTANCES.length);
  });

  test('every instance type is a unique SageMaker ml. type', () => {
    const types = HOSTING_INSTANCES.map((i) => i.instanceType);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) {
      expect(type).toMatch(/^ml\.[a-z0-9]+\.[0-9]*x?large$/);
    }
  });

  test.each(HOSTING_INSTANCES.map((i) => [i.instanceType, i] as const))('%s has positive whole counts and sizes', (_type, instance) => {
    for (const n of [instance.acceleratorCount, instance.devices, instance.deviceMemoryMiB, instance.vcpus, instance.memoryGiB]) {
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBeGreaterThan(0);
    }
    expect(instance.accelerator.length).toBeGreaterThan(0);
  });

  test.each(GPU_INSTANCES.map((i) => [i.instanceType, i] as const))('GPU %s has local NVMe and one device per GPU', (_type, instance) => {
    expect(instance.localNvme).toBe(true);
    expect(instance.devices).toBe(instance.acceleratorCount);
    expect(instance.accelerator).toMatch(/^NVIDIA /);
  });

  test.each(NEURON_INSTANCES.map((i) => [i.instanceType, i] as const))('Inferentia2 %s is EBS-only with 2 NeuronCores of 16 GiB per chip', (_type, instance) => {
    expect(instance.instanceType).toMatch(/^ml\.inf2\./);
    expect(instance.localNvme).toBe(false);
    expect(instance.devices).toBe(2 * instance.acceleratorCount);
    expect(instance.deviceMemoryMiB).toBe(16384);
    expect(instance.accelerator).toBe('AWS Inferentia2');
  });

  test('ml.g5.48xlarge has 8 A10G devices of 22888 MiB', () => {
    const g5 = mustFind('ml.g5.48xlarge');
    expect(g5.backend).toBe(LmiBackend.GPU);
    expect(g5.accelerator).toBe('NVIDIA A10G');
    expect(g5.devices).toBe(8);
    expect(g5.acceleratorCount).toBe(8);
    expect(g5.deviceMemoryMiB).toBe(22888);
  });

  test('ml.inf2.xlarge and ml.inf2.8xlarge both have one chip (2 NeuronCores); ml.inf2.48xlarge has 12 chips', () => {
    expect(mustFind('ml.inf2.xlarge').devices).toBe(2);
    expect(mustFind('ml.inf2.8xlarge').devices).toBe(2);
    expect(mustFind('ml.inf2.48xlarge').acceleratorCount).toBe(12);
    expect(mustFind('ml.inf2.48xlarge').devices).toBe(24);
  });

  test('prices are positive where defined', () => {
    const priced = HOSTING_INSTANCES.filter((i) => i.pricePerHourUsd !== undefined);
    expect(priced.length).toBeGreaterThan(0);
    for (const instance of priced) {
      expect(instance.pricePerHourUsd).toBeGreaterThan(0);
      expect(Number.isFinite(instance.pricePerHourUsd)).toBe(true);
    }
  });

  test('g6e instances have no hosting price', () => {
    const g6e = HOSTING_INSTANCES.filter((i) => i.instanceType.startsWith('ml.g6e.'));
    expect(g6e.map((i) => i.instanceType)).toEqual(['ml.g6e.12xlarge', 'ml.g6e.24xlarge', 'ml.g6e.48xlarge']);
    for (const instance of g6e) {
      expect(instance.pricePerHourUsd).toBeUndefined();
    }
  });

  test('within a family, a bigger size never costs less', () => {
    const families = new Map<string, HostingInstance[]>();
    for (const i of HOSTING_INSTANCES) {
      const family = i.instanceType.split('.')[1];
      families.set(family, [...(families.get(family) ?? []), i]);
    }
    for (const members of families.values()) {
      const priced = members.filter((i) => i.pricePerHourUsd !== undefined);
      for (let k = 1; k < priced.length; k++) {
        expect(priced[k].vcpus).toBeGreaterThan(priced[k - 1].vcpus);
        expect(priced[k].pricePerHourUsd).toBeGreaterThan(priced[k - 1].pricePerHourUsd as number);
      }
    }
  });

  test('PRICES_AS_OF is an ISO date', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(PRICES_AS_OF))).toBe(false);
  });
});

describe('findHostingInstance', () => {
  test('returns the catalog entry for a known type', () => {
    expect(findHostingInstance('ml.p5.48xlarge')?.accelerator).toBe('NVIDIA H100 80GB');
  });

  test('returns undefined for unknown types', () => {
    expect(findHostingInstance('ml.m5.xlarge')).toBeUndefined();
    expect(findHostingInstance('g5.48xlarge')).toBeUndefined();
    expect(findHostingInstance('ML.G5.48XLARGE')).toBeUndefined();
    expect(findHostingInstance('')).toBeUndefined();
  });
});

describe('totalDeviceMemoryGiB', () => {
  test('ml.inf2.48xlarge: 24 NeuronCores x 16 GiB = 384 GiB', () => {
    expect(totalDeviceMemoryGiB(mustFind('ml.inf2.48xlarge'))).toBeCloseTo(384, 6);
  });

  test('ml.p5.48xlarge: 8 x H100 80 GiB = 640 GiB', () => {
    expect(totalDeviceMemoryGiB(mustFind('ml.p5.48xlarge'))).toBeCloseTo(640, 6);
  });

  test('ml.g5.48xlarge: 8 x 22888 MiB = 178.8125 GiB', () => {
    expect(totalDeviceMemoryGiB(mustFind('ml.g5.48xlarge'))).toBeCloseTo(178.8125, 6);
  });

  test('ml.inf2.xlarge: 1 chip = 32 GiB', () => {
    expect(totalDeviceMemoryGiB(mustFind('ml.inf2.xlarge'))).toBeCloseTo(32, 6);
  });
});

describe('EFA-capable EC2 types', () => {
  test('every training catalog type with EFA interfaces is in EFA_INSTANCE_TYPES', () => {
    for (const i of TRAINING_INSTANCES.filter((t) => t.efaInterfaces > 0)) expect(EFA_INSTANCE_TYPES).toContain(i.instanceType);
  });

  test('supportsEfa: EFA types beyond the training catalog, not head-node or SageMaker types', () => {
    expect(supportsEfa('g5.48xlarge')).toBe(true);
    expect(supportsEfa('c5n.18xlarge')).toBe(true);
    expect(supportsEfa('c5.4xlarge')).toBe(false);
    expect(supportsEfa('ml.p5.48xlarge')).toBe(false);
  });

  // Karpenter's generated instance-types.md (DescribeInstanceTypes, v1.14.0): these have EFA rows...
  test('supportsEfa: EFA sizes confirmed in generated DescribeInstanceTypes data', () => {
    for (const t of ['p5.4xlarge', 'p6-b200.48xlarge', 'g6e.8xlarge', 'hpc7g.4xlarge', 'c7gn.metal', 'i4i.32xlarge', 'x2iedn.metal']) {
      expect(supportsEfa(t)).toBe(true);
    }
  });

  // ...and these, smaller sizes of EFA families or inf2.48xlarge (which the old list had), have none.
  test('supportsEfa: non-EFA sizes of EFA families are refused', () => {
    for (const t of ['g5.xlarge', 'g6.4xlarge', 'g4dn.xlarge', 'c6i.24xlarge', 'trn1.2xlarge', 'inf2.48xlarge']) {
      expect(supportsEfa(t)).toBe(false);
    }
  });

  test('the list has no duplicates and only EC2 type names', () => {
    expect(new Set(EFA_INSTANCE_TYPES).size).toBe(EFA_INSTANCE_TYPES.length);
    for (const t of EFA_INSTANCE_TYPES) expect(t).toMatch(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/);
  });
});

describe('LmiInstanceType', () => {
  test('every catalog hosting instance has a static member carrying its facts', () => {
    const members = Object.entries(LmiInstanceType)
      .filter((entry): entry is [string, LmiInstanceType] => entry[1] instanceof LmiInstanceType);
    expect(members.map(([, t]) => t.instanceType).sort()).toEqual(HOSTING_INSTANCES.map((i) => i.instanceType).sort());
    for (const [name, t] of members) {
      // G5_48XLARGE is ml.g5.48xlarge.
      expect(`ml.${name.replace('_', '.').toLowerCase()}`).toBe(t.instanceType);
      expect(t._facts).toBe(findHostingInstance(t.instanceType));
    }
  });

  test('of() takes the catalog facts over given ones, and keeps given facts for an unknown type', () => {
    const facts = { backend: LmiBackend.GPU, acceleratorCount: 1, devices: 1, deviceMemoryMiB: 1024, localNvme: false };
    expect(LmiInstanceType.of('ml.g5.12xlarge', facts)._facts).toBe(mustFind('ml.g5.12xlarge'));
    expect(LmiInstanceType.of('ml.new.xlarge', facts)._facts).toMatchObject({ instanceType: 'ml.new.xlarge', backend: LmiBackend.GPU, devices: 1, accelerator: 'unknown accelerator', vcpus: 0 });
    expect(LmiInstanceType.of('ml.new.xlarge').hasFacts).toBe(false);
    expect(LmiInstanceType.of('ml.new.xlarge').backend).toBeUndefined();
    expect(String(LmiInstanceType.INF2_8XLARGE)).toBe('ml.inf2.8xlarge');
  });

  test('LmiBackend holds the catalog backend strings', () => {
    expect(Object.values(LmiBackend).sort()).toEqual([...Object.values(LmiBackend)].sort());
  });
});
