"""Where SageMaker puts things, and which process this is under torchrun. Pure Python.

Paths follow SageMaker's container layout; each can be moved with an environment variable (the
tests, or a run outside SageMaker).
"""
import json
import os

PATHS = {
    # name: (environment variable, SageMaker's path)
    'train': ('SM_CHANNEL_TRAIN', '/opt/ml/input/data/train'),
    'model_channel': ('SM_CHANNEL_MODEL', '/opt/ml/input/data/model'),
    'checkpoints': ('SM_CHECKPOINT_DIR', '/opt/ml/checkpoints'),
    'model_dir': ('SM_MODEL_DIR', '/opt/ml/model'),
    'output_dir': ('SM_OUTPUT_DIR', '/opt/ml/output'),
}


def path(name, env=None):
    env = os.environ if env is None else env
    variable, default = PATHS[name]
    return env.get(variable) or default


def world(env=None):
    """(rank, local_rank, world_size) from torchrun's variables; (0, 0, 1) when run alone."""
    env = os.environ if env is None else env
    return int(env.get('RANK', '0')), int(env.get('LOCAL_RANK', '0')), int(env.get('WORLD_SIZE', '1'))


def model_source(settings, model_channel):
    """(where to load the base model from, revision): the staged `model` channel when it holds a
    config.json, else the Hub id at the pinned revision."""
    if model_channel and os.path.isfile(os.path.join(model_channel, 'config.json')):
        return model_channel, None
    return settings.base_model_id, settings.base_model_revision


def token_from_secret(secret_string):
    """The Hugging Face token in a secret: the plain string, or the HF_TOKEN / token key of a JSON object."""
    text = (secret_string or '').strip()
    if text.startswith('{'):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError('the Hugging Face token secret looks like JSON but does not parse') from None
        for key in ('HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'token'):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
        raise ValueError('the Hugging Face token secret is a JSON object without an HF_TOKEN or token key')
    if not text:
        raise ValueError('the Hugging Face token secret is empty')
    return text


def write_failure(output_dir, message):
    """SageMaker reports the text of /opt/ml/output/failure as the job's FailureReason
    (docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-signal-success-failure.html)."""
    try:
        os.makedirs(output_dir, exist_ok=True)
        with open(os.path.join(output_dir, 'failure'), 'w', encoding='utf-8') as fh:
            fh.write(message[:1024])
    except OSError:
        pass
