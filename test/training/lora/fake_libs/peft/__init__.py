"""Fake PEFT: LoraConfig and PeftModel.from_pretrained(...).merge_and_unload()."""
import transformers

__version__ = '0.17.1-fake'
CALLS = []


class LoraConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class _Loaded:
    def __init__(self, base):
        self.base = base

    def merge_and_unload(self):
        CALLS.append(('merge_and_unload',))
        return self.base


class PeftModel:
    @staticmethod
    def from_pretrained(base, adapter_dir):
        CALLS.append(('PeftModel.from_pretrained', base.kwargs, adapter_dir))
        return _Loaded(transformers.FakeModel(base.source, base.kwargs))
