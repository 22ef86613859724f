"""Fake transformers: records from_pretrained calls and writes safetensors-named files on save."""
import os

__version__ = '4.56.2-fake'
CALLS = []
CHAT_TEMPLATE = [None]  # set [0] to a string to give the tokenizer a chat template


def set_seed(seed):
    CALLS.append(('set_seed', seed))


class BitsAndBytesConfig:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class _Config:
    use_cache = True


class FakeModel:
    def __init__(self, source, kwargs):
        self.source = source
        self.kwargs = kwargs
        self.config = _Config()

    def save_pretrained(self, directory, **kwargs):
        CALLS.append(('model.save_pretrained', directory, kwargs))
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'model.safetensors'), 'w') as fh:
            fh.write('weights')


class AutoModelForCausalLM:
    @staticmethod
    def from_pretrained(source, **kwargs):
        CALLS.append(('AutoModelForCausalLM.from_pretrained', source, kwargs))
        return FakeModel(source, kwargs)


class FakeTokenizer:
    def __init__(self):
        self.pad_token = None
        self.eos_token = '</s>'
        self.chat_template = CHAT_TEMPLATE[0]

    def save_pretrained(self, directory):
        CALLS.append(('tokenizer.save_pretrained', directory))
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'tokenizer.json'), 'w') as fh:
            fh.write('{}')


class AutoTokenizer:
    @staticmethod
    def from_pretrained(source, **kwargs):
        CALLS.append(('AutoTokenizer.from_pretrained', source, kwargs))
        return FakeTokenizer()
