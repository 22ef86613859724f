import { HuggingFaceTrainingImage } from '../../constructs';

describe('HuggingFaceTrainingImage', () => {
  test('the default is transformers 4.56.2 on PyTorch 2.8.0, Python 3.12, CUDA 12.9, tagged as the SageMaker SDK builds it', () => {
    const image = HuggingFaceTrainingImage.DEFAULT;
    expect(image).toBe(HuggingFaceTrainingImage.TRANSFORMERS_4_56_PYTORCH_2_8);
    expect(image.tag).toBe('2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04');
    expect([image.transformersVersion, image.pytorchVersion, image.pythonVersion, image.containerVersion]).toEqual(['4.56.2', '2.8.0', 'py312', 'cu129-ubuntu22.04']);
  });

  test('presets are listed newest first and each tag is unique', () => {
    const tags = HuggingFaceTrainingImage.presets().map((i) => i.tag);
    expect(tags).toEqual([
      '2.9.0-transformers5.3.0-gpu-py312-cu130-ubuntu22.04',
      '2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04',
      '2.7.1-transformers4.55.0-gpu-py312-cu128-ubuntu22.04',
    ]);
  });

  test('every region of the SDK table with its registry account: 31 regions', () => {
    const regions = HuggingFaceTrainingImage.regions();
    expect(regions).toHaveLength(31);
    expect(regions).toEqual([...regions].sort());
    expect(HuggingFaceTrainingImage.registryAccount('us-east-1')).toBe('763104351884');
    expect(HuggingFaceTrainingImage.registryAccount('af-south-1')).toBe('626614931356');
    expect(HuggingFaceTrainingImage.registryAccount('me-south-1')).toBe('217643126080');
    expect(HuggingFaceTrainingImage.registryAccount('us-gov-west-1')).toBe('442386744353');
  });

  test('regions the table lacks have no account and no URI', () => {
    for (const region of ['ap-south-2', 'eu-central-2', 'mx-central-1', 'us-isof-south-1', 'constructor']) {
      expect(HuggingFaceTrainingImage.registryAccount(region)).toBeUndefined();
      expect(HuggingFaceTrainingImage.DEFAULT.uri(region)).toBeUndefined();
    }
  });

  test.each([
    ['us-west-2', '763104351884.dkr.ecr.us-west-2.amazonaws.com'],
    ['cn-north-1', '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn'],
    ['us-gov-east-1', '446045086412.dkr.ecr.us-gov-east-1.amazonaws.com'],
    ['us-iso-east-1', '886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', '094389454867.dkr.ecr.us-isob-east-1.sc2s.sgov.gov'],
  ])('the URI in %s uses the partition\'s ECR domain', (region, host) => {
    expect(HuggingFaceTrainingImage.DEFAULT.uri(region)).toBe(`${host}/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04`);
  });

  test('of() names another tag of the same repository', () => {
    const image = HuggingFaceTrainingImage.of('4.49.0', '2.5.1', 'py311', 'cu124-ubuntu22.04');
    expect(image.tag).toBe('2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04');
    expect(image.uri('eu-west-1')).toBe('763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04');
  });

  test('of() refuses a part that cannot be a tag of the table, naming each bad part and its form', () => {
    expect(() => HuggingFaceTrainingImage.of('4.49', '2.5.1', 'python3.11', 'cu124-ubuntu22.04'))
      .toThrow(/HuggingFaceTrainingImage\.of: transformersVersion: '4\.49' is not a release such as 4\.56\.2; pythonVersion: 'python3\.11' is not such as py312$/);
    expect(() => HuggingFaceTrainingImage.of('4.49.0', 'latest', 'py311', 'ubuntu22.04'))
      .toThrow(/pytorchVersion: 'latest' is not a release such as 2\.8\.0; containerVersion: 'ubuntu22\.04' is not such as cu129-ubuntu22\.04/);
  });

  test('registries() is a copy', () => {
    const copy = HuggingFaceTrainingImage.registries();
    copy['us-east-1'] = '000000000000';
    expect(HuggingFaceTrainingImage.registryAccount('us-east-1')).toBe('763104351884');
  });
});
