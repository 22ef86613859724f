"""Finding the checkpoint to resume from after a spot interruption. Pure Python (stdlib only).

SageMaker syncs /opt/ml/checkpoints with the job's checkpoint S3 prefix and restores it when the
job restarts; the Hugging Face Trainer saves `checkpoint-<step>` directories there.
"""
import os
import re

DEFAULT_CHECKPOINT_DIR = '/opt/ml/checkpoints'
CHECKPOINT = re.compile(r'^checkpoint-(\d+)$')
# The Trainer writes trainer_state.json after the weights and optimizer state: a directory without
# it was cut off mid-save and is skipped.
COMPLETE_MARKER = 'trainer_state.json'


def latest_checkpoint(directory):
    """The path of the complete `checkpoint-<step>` directory with the highest step, or None."""
    if not directory or not os.path.isdir(directory):
        return None
    best = None
    for name in os.listdir(directory):
        m = CHECKPOINT.match(name)
        path = os.path.join(directory, name)
        if not m or not os.path.isdir(path) or not os.path.isfile(os.path.join(path, COMPLETE_MARKER)):
            continue
        step = int(m.group(1))
        if best is None or step > best[0]:
            best = (step, path)
    return best[1] if best else None
