import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  compareVersions, ecrDomainSuffix, imageAccount, imageRegions, imageUri, LMI_IMAGES, LMI_REPOSITORY, LmiBackend,
  supportedImageTags,
} from '../../constructs/catalog';

const GPU = LMI_IMAGES.gpu;
const NEURON = LMI_IMAGES.neuron;
const ISO_REGIONS = ['eu-isoe-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'];

describe('LMI_IMAGES', () => {
  test('both families live in the djl-inference repository', () => {
    expect(LMI_REPOSITORY).toBe('djl-inference');
    for (const backend of Object.values(LmiBackend)) {
      expect(imageUri(backend, LMI_IMAGES[backend].defaultTag, 'us-east-1')).toBe(`763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:${LMI_IMAGES[backend].defaultTag}`);
    }
  });

  test.each(Object.values(LmiBackend))('the %s family is keyed by its own backend', (backend) => {
    expect(LMI_IMAGES[backend].backend).toBe(backend);
  });

  test.each(Object.values(LmiBackend))('the %s default tag is one of its supported tags', (backend) => {
    const family = LMI_IMAGES[backend];
    expect(Object.keys(family.tags)).toContain(family.defaultTag);
    expect(supportedImageTags(backend)).toContain(family.defaultTag);
  });

  test('the default tags are 0.35.0 on GPU and 0.29.0 on Neuron', () => {
    expect(GPU.tags[GPU.defaultTag].containerVersion).toBe('0.35.0');
    expect(NEURON.tags[NEURON.defaultTag].containerVersion).toBe('0.29.0');
  });

  test.each(Object.values(LmiBackend))('every %s tag starts with its container version', (backend) => {
    for (const [tag, entry] of Object.entries(LMI_IMAGES[backend].tags)) {
      expect(tag.startsWith(`${entry.containerVersion}-`)).toBe(true);
      expect(entry.containerVersion).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test.each(Object.values(LmiBackend))('every %s tag\'s missing regions are regions of its registry table', (backend) => {
    const family = LMI_IMAGES[backend];
    for (const entry of Object.values(family.tags)) {
      for (const region of entry.missingRegions ?? []) {
        expect(Object.keys(family.registries)).toContain(region);
      }
    }
  });

  test.each(Object.values(LmiBackend))('every %s registry account is a 12-digit id', (backend) => {
    for (const account of Object.values(LMI_IMAGES[backend].registries)) {
      expect(account).toMatch(/^\d{12}$/);
    }
  });

  test('every region with a Neuron image also has the GPU image under the same account', () => {
    const neuronRegions = Object.keys(NEURON.registries);
    expect(neuronRegions.length).toBeGreaterThan(0);
    for (const region of neuronRegions) {
      expect({ region, account: GPU.registries[region] }).toEqual({ region, account: NEURON.registries[region] });
    }
  });

  test('ap-east-2 is left out of both families', () => {
    expect(GPU.registries['ap-east-2']).toBeUndefined();
    expect(NEURON.registries['ap-east-2']).toBeUndefined();
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, 'ap-east-2')).toBeUndefined();
    expect(imageAccount(LmiBackend.NEURON, NEURON.defaultTag, 'ap-east-2')).toBeUndefined();
  });

  test.each(Object.values(LmiBackend))('China regions use account 727897471807 on %s', (backend) => {
    const family = LMI_IMAGES[backend];
    expect(family.registries['cn-north-1']).toBe('727897471807');
    expect(family.registries['cn-northwest-1']).toBe('727897471807');
    expect(imageAccount(backend, family.defaultTag, 'cn-north-1')).toBe('727897471807');
  });

  test.each(Object.values(LmiBackend))('us-east-1 resolves to 763104351884 on %s', (backend) => {
    expect(imageAccount(backend, LMI_IMAGES[backend].defaultTag, 'us-east-1')).toBe('763104351884');
  });
});

describe('imageRegions', () => {
  test('removes the regions a tag is missing from', () => {
    const old = imageRegions(LmiBackend.GPU, '0.29.0-lmi11.0.0-cu124');
    const current = imageRegions(LmiBackend.GPU, '0.35.0-lmi17.0.0-cu128');
    expect(old).not.toContain('us-iso-east-1');
    expect(current).toContain('us-iso-east-1');
    for (const region of ISO_REGIONS) {
      expect(old).not.toContain(region);
    }
    expect(current.filter((r) => !old.includes(r)).sort()).toEqual(ISO_REGIONS);
    expect(old).toContain('us-east-1');
  });

  test('returns every registry region, sorted, for a tag that misses none', () => {
    const regions = imageRegions(LmiBackend.NEURON, '0.29.0-neuronx-sdk2.19.1');
    expect(regions).toEqual(Object.keys(NEURON.registries).sort());
    expect(regions).toEqual([...regions].sort());
    expect(regions).toContain('us-isof-south-1');
  });

  test('throws when the tag is not supported', () => {
    expect(() => imageRegions(LmiBackend.GPU, '0.28.0-lmi10.0.0-cu124')).toThrow(/not a supported gpu LMI tag/);
    expect(() => imageRegions(LmiBackend.NEURON, '0.35.0-lmi17.0.0-cu128')).toThrow(/not a supported/);
  });

  test('throws an error naming the supported tags', () => {
    expect(() => imageRegions(LmiBackend.NEURON, 'latest')).toThrow(/supported: 0\.29\.0-neuronx-sdk2\.19\.1, 0\.28\.0/);
  });
});

describe('imageAccount', () => {
  test('returns undefined for a region without that family', () => {
    expect(GPU.registries['af-south-1']).toBe('626614931356');
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, 'af-south-1')).toBe('626614931356');
    expect(imageAccount(LmiBackend.NEURON, NEURON.defaultTag, 'af-south-1')).toBeUndefined();
  });

  test('returns undefined for a region that lacks that tag', () => {
    expect(imageAccount(LmiBackend.GPU, '0.32.0-lmi14.0.0-cu126', 'us-iso-east-1')).toBeUndefined();
    expect(imageAccount(LmiBackend.GPU, '0.33.0-lmi15.0.0-cu128', 'us-iso-east-1')).toBe('886529160074');
  });

  test('returns the regional account outside the shared one', () => {
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, 'ap-east-1')).toBe('871362719292');
    expect(imageAccount(LmiBackend.NEURON, NEURON.defaultTag, 'ap-south-2')).toBe('772153158452');
  });

  test('returns undefined for an unknown region', () => {
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, 'mars-north-1')).toBeUndefined();
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, 'constructor')).toBeUndefined();
    expect(imageAccount(LmiBackend.GPU, GPU.defaultTag, '__proto__')).toBeUndefined();
  });

  test('throws when the tag is not supported', () => {
    expect(() => imageAccount(LmiBackend.GPU, 'nope', 'us-east-1')).toThrow(/not a supported/);
  });
});

describe('compareVersions', () => {
  test('orders older before newer', () => {
    expect(compareVersions('0.32.0', '0.35.0')).toBeLessThan(0);
    expect(compareVersions('0.35.0', '0.32.0')).toBeGreaterThan(0);
    expect(compareVersions('0.22.1', '0.23.0')).toBeLessThan(0);
    expect(compareVersions('0.23.0', '0.22.1')).toBeGreaterThan(0);
  });

  test('compares numerically, not as strings', () => {
    expect(compareVersions('0.9.0', '0.10.0')).toBeLessThan(0);
    expect(compareVersions('1.0.0', '0.99.9')).toBeGreaterThan(0);
  });

  test('returns 0 for equal versions, including a missing trailing zero', () => {
    expect(compareVersions('0.35.0', '0.35.0')).toBe(0);
    expect(compareVersions('0.35', '0.35.0')).toBe(0);
  });

  test('orders by patch after equal major and minor', () => {
    expect(compareVersions('0.27.1', '0.27.0')).toBeGreaterThan(0);
  });
});

describe('supportedImageTags', () => {
  test.each(Object.values(LmiBackend))('lists the %s tags newest first', (backend) => {
    const tags = supportedImageTags(backend);
    expect(tags.length).toBeGreaterThan(1);
    const versions = tags.map((t) => LMI_IMAGES[backend].tags[t].containerVersion);
    for (let k = 1; k < versions.length; k++) {
      expect(compareVersions(versions[k - 1], versions[k])).toBeGreaterThan(0);
    }
  });

  test('GPU tags start at 0.29.0 and Neuron tags at 0.27.0', () => {
    expect(supportedImageTags(LmiBackend.GPU)[0]).toBe('0.36.0-lmi27.0.0-cu130');
    expect(supportedImageTags(LmiBackend.GPU).at(-1)).toBe('0.29.0-lmi11.0.0-cu124');
    expect(supportedImageTags(LmiBackend.NEURON)).toEqual([
      '0.29.0-neuronx-sdk2.19.1', '0.28.0-neuronx-sdk2.18.2', '0.27.0-neuronx-sdk2.18.1',
    ]);
  });
});

describe('image URIs', () => {
  test('the ECR domain of every catalog region agrees with the CDK region facts where the CDK knows the region', () => {
    const regions = new Set([...Object.keys(LMI_IMAGES.gpu.registries), ...Object.keys(LMI_IMAGES.neuron.registries)]);
    let compared = 0;
    for (const region of regions) {
      const known = RegionInfo.get(region).domainSuffix;
      if (known === undefined) continue;
      expect([region, ecrDomainSuffix(region)]).toEqual([region, known]);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });

  test('imageUri builds the host of the partition and is undefined where the tag is missing', () => {
    expect(imageUri(LmiBackend.GPU, '0.35.0-lmi17.0.0-cu128', 'cn-northwest-1')).toBe('727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/djl-inference:0.35.0-lmi17.0.0-cu128');
    expect(imageUri(LmiBackend.GPU, '0.35.0-lmi17.0.0-cu128', 'us-iso-east-1')).toBe('886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/djl-inference:0.35.0-lmi17.0.0-cu128');
    expect(imageUri(LmiBackend.GPU, '0.29.0-lmi11.0.0-cu124', 'us-iso-east-1')).toBeUndefined();
    expect(imageUri(LmiBackend.NEURON, LMI_IMAGES.neuron.defaultTag, 'af-south-1')).toBeUndefined();
  });
});
