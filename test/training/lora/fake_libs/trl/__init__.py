"""Fake TRL 0.23: SFTConfig's fields as a dataclass, SFTTrainer recording what it was given."""
import dataclasses
import os
from typing import Any, Optional


__version__ = '0.23.0-fake'
CALLS = []


@dataclasses.dataclass
class SFTConfig:
    output_dir: str = ''
    num_train_epochs: float = 3.0
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    learning_rate: float = 2e-5
    lr_scheduler_type: str = 'linear'
    warmup_ratio: float = 0.0
    logging_steps: float = 10
    save_strategy: str = 'steps'
    save_steps: float = 500
    save_total_limit: Optional[int] = None
    gradient_checkpointing: bool = True
    gradient_checkpointing_kwargs: Optional[dict] = None
    bf16: Optional[bool] = None
    fp16: bool = False
    seed: int = 42
    report_to: Any = None
    ddp_find_unused_parameters: Optional[bool] = None
    max_length: Optional[int] = 1024
    completion_only_loss: Optional[bool] = None


class SFTTrainer:
    def __init__(self, model, args, train_dataset, processing_class, peft_config):
        CALLS.append(('SFTTrainer', model, args, list(train_dataset), processing_class, peft_config))
        self.model = model
        self.args = args

    def train(self, resume_from_checkpoint=None):
        CALLS.append(('train', resume_from_checkpoint))

    def save_model(self, directory):
        CALLS.append(('save_model', directory))
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'adapter_model.safetensors'), 'w') as fh:
            fh.write('adapter')

    def is_world_process_zero(self):
        return True

