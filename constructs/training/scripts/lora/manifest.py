"""manifest.json beside the weights: what was trained, from what, on which data. Pure Python."""
import json
import os
import time

MANIFEST_NAME = 'manifest.json'
SCHEMA_VERSION = 1


def build_manifest(settings, dataset, template, language, world_size, versions=None, now=None):
    """The manifest as a dict. `settings` is hparams.Settings, `dataset` records.Dataset."""
    s = settings
    return {
        'schemaVersion': SCHEMA_VERSION,
        'baseModel': {'id': s.base_model_id, 'revision': s.base_model_revision},
        'method': s.method,
        'quantization': 'nf4-double-quant' if s.method == 'qlora' else None,
        'lora': {
            'r': s.lora_r,
            'alpha': s.lora_alpha,
            'dropout': s.lora_dropout,
            'targetModules': s.target_modules,
        },
        'training': {
            'epochs': s.epochs,
            'learningRate': s.learning_rate,
            'maxSeqLength': s.max_seq_length,
            'perDeviceBatchSize': s.per_device_batch_size,
            'gradientAccumulationSteps': s.gradient_accumulation_steps,
            'worldSize': world_size,
            'seed': s.seed,
        },
        'data': {
            'sha256': dataset.sha256,
            'records': len(dataset.records),
            'files': dataset.files,
            'format': dataset.kind,
            'promptTemplate': template,
            'language': language if template == 'alpaca' else None,
        },
        'output': s.output,
        'libraries': dict(versions or {}),
        'createdAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now)),
    }


def write_manifest(directory, manifest):
    path = os.path.join(directory, MANIFEST_NAME)
    with open(path, 'w', encoding='utf-8') as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write('\n')
    return path
