"""The training settings: SageMaker's hyperparameters.json, parsed and validated in one pass.

Pure Python (stdlib only). SageMaker writes the job's HyperParameters map to
/opt/ml/input/config/hyperparameters.json with every value a string; the directory can be moved
with SM_INPUT_CONFIG_DIR (tests). Every problem is collected and reported together.
"""
import json
import os
import re

DEFAULT_CONFIG_DIR = '/opt/ml/input/config'

# The names the construct sends (the contract of issue 12), with their defaults (None: required/optional).
DEFAULTS = {
    'base_model_id': None,
    'base_model_revision': None,
    'method': 'qlora',
    'lora_r': '16',
    'lora_alpha': '32',
    'lora_dropout': '0.05',
    'target_modules': 'all-linear',
    'epochs': '3',
    'learning_rate': '0.0002',
    'max_seq_length': '512',
    'per_device_batch_size': '4',
    'gradient_accumulation_steps': '4',
    'output': 'merged',
    'prompt_template': 'auto',
    'hf_token_secret_arn': None,
    'seed': '42',
}

METHODS = ('lora', 'qlora')
OUTPUTS = ('merged', 'adapter')
TEMPLATES = ('auto', 'alpaca', 'chat')
MODULE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_.]*$')
SECRET_ARN = re.compile(r'^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$')
# A Hugging Face repo id: an optional owner, then a name (letters, digits, - _ .), at most 96 characters.
MODEL_ID = re.compile(r'^(?:[A-Za-z0-9][A-Za-z0-9_.-]*/)?[A-Za-z0-9][A-Za-z0-9_.-]*$')


class SettingsError(ValueError):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__('bad hyperparameters:\n' + '\n'.join(f'  - {p}' for p in self.problems))


class Settings:
    """The validated settings; attribute names are the hyperparameter names."""

    def __init__(self, values):
        for key, value in values.items():
            setattr(self, key, value)
        self._values = dict(values)

    def as_dict(self):
        return dict(self._values)


def _unquote(value):
    # The SageMaker Python SDK JSON-encodes each value ("\"qlora\""); the raw API sends it as is.
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            return value
        return decoded if isinstance(decoded, str) else value
    return value if isinstance(value, str) else json.dumps(value)


def parse_settings(raw):
    """Settings from a {name: string} map; raises SettingsError listing every bad value."""
    problems = []
    unknown = sorted(k for k in raw if k not in DEFAULTS and not k.startswith('sagemaker_'))
    if unknown:
        problems.append(f'unknown hyperparameter(s) {", ".join(unknown)}; known: {", ".join(DEFAULTS)}')
    merged = {k: _unquote(raw[k]) if k in raw else d for k, d in DEFAULTS.items()}
    merged = {k: (v.strip() if isinstance(v, str) else v) for k, v in merged.items()}
    out = {}

    def choice(name, allowed):
        v = merged[name]
        if v not in allowed:
            problems.append(f"{name} '{v}' is not one of {', '.join(allowed)}")
        out[name] = v

    def integer(name, lo, hi=None):
        v = merged[name]
        try:
            # Step Functions' States.Format may render a whole JSON number as 16.0 or 1.6E1.
            x = float(v)
            if x != int(x):
                raise ValueError(v)
            n = int(x)
        except (TypeError, ValueError, OverflowError):
            problems.append(f"{name} '{v}' is not a whole number")
            return
        if n < lo or (hi is not None and n > hi):
            problems.append(f"{name} {n} must be {'at least ' + str(lo) if hi is None else f'between {lo} and {hi}'}")
        out[name] = n

    def number(name, lo, hi, lo_open=True, hi_open=False, hint=''):
        v = merged[name]
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(f"{name} '{v}' is not a number")
            return
        too_low = x <= lo if lo_open else x < lo
        too_high = x >= hi if hi_open else x > hi
        if x != x or too_low or too_high:
            left = '(' if lo_open else '['
            right = ')' if hi_open else ']'
            problems.append(f'{name} {v} must be in {left}{lo}, {hi}{right}{hint}')
        out[name] = x

    model_id = merged['base_model_id']
    if not model_id:
        problems.append('base_model_id is required (a Hugging Face model id such as mistralai/Mistral-7B-v0.1)')
    elif not MODEL_ID.match(model_id) or len(model_id) > 96:
        problems.append(f"base_model_id '{model_id}' is not a Hugging Face model id (owner/name)")
    out['base_model_id'] = model_id
    out['base_model_revision'] = merged['base_model_revision'] or None
    choice('method', METHODS)
    integer('lora_r', 1, 1024)
    number('lora_alpha', 0, 1e6)
    number('lora_dropout', 0, 1, lo_open=False, hi_open=True)
    modules = merged['target_modules']
    if modules == 'all-linear':
        out['target_modules'] = 'all-linear'
    else:
        names = [m.strip() for m in (modules or '').split(',')]
        bad = [m for m in names if not MODULE_NAME.match(m)]
        if not modules or bad:
            problems.append(f"target_modules '{modules}' must be all-linear or a comma-separated list of module names (q_proj,v_proj)")
        out['target_modules'] = names
    number('epochs', 0, 1000, hint=' (a fraction such as 0.1 trains on part of one epoch)')
    number('learning_rate', 0, 1, hi_open=True)
    integer('max_seq_length', 16, 1 << 20)
    integer('per_device_batch_size', 1, 4096)
    integer('gradient_accumulation_steps', 1, 4096)
    choice('output', OUTPUTS)
    choice('prompt_template', TEMPLATES)
    arn = merged['hf_token_secret_arn'] or None
    if arn is not None and not SECRET_ARN.match(arn):
        problems.append(f"hf_token_secret_arn '{arn}' is not a Secrets Manager secret ARN")
    out['hf_token_secret_arn'] = arn
    integer('seed', 0, 2 ** 32 - 1)
    if problems:
        raise SettingsError(problems)
    return Settings(out)


def load_settings(config_dir=None):
    """Settings from hyperparameters.json in `config_dir` (default SM_INPUT_CONFIG_DIR or /opt/ml/input/config)."""
    directory = config_dir or os.environ.get('SM_INPUT_CONFIG_DIR') or DEFAULT_CONFIG_DIR
    path = os.path.join(directory, 'hyperparameters.json')
    try:
        with open(path, encoding='utf-8') as fh:
            raw = json.load(fh)
    except FileNotFoundError:
        raise SettingsError([f'{path} does not exist (base_model_id at least is required)']) from None
    except json.JSONDecodeError as e:
        raise SettingsError([f'{path} is not valid JSON: {e}']) from None
    if not isinstance(raw, dict):
        raise SettingsError([f'{path} must hold a JSON object'])
    return parse_settings(raw)


def sft_length_argument(config_fields):
    """The SFTConfig field for the sequence length: `max_length` since TRL 0.16 (the DLC's TRL 0.23),
    `max_seq_length` before."""
    if 'max_length' in config_fields:
        return 'max_length'
    if 'max_seq_length' in config_fields:
        return 'max_seq_length'
    raise SettingsError(['this TRL has neither SFTConfig.max_length nor SFTConfig.max_seq_length; use the Hugging Face PyTorch training DLC with TRL 0.23'])


def save_steps(records, batch_size, accumulation, world_size, epochs, checkpoints=10):
    """Optimizer steps between checkpoints: about `checkpoints` per run, at least 1 step apart.

    A spot interruption loses at most one interval of work; fewer, larger saves cost less time on S3.
    """
    per_step = batch_size * accumulation * max(1, world_size)
    steps_per_epoch = max(1, -(-records // per_step))
    total = max(1, int(steps_per_epoch * epochs + 0.999999))
    return max(1, total // checkpoints)
