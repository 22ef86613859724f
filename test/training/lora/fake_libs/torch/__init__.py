"""Fake torch: no CUDA, two dtype sentinels."""
__version__ = '0.0-fake'
bfloat16 = 'torch.bfloat16'
float16 = 'torch.float16'


class cuda:  # noqa: N801 (torch.cuda is a module)
    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_bf16_supported():
        return False

    @staticmethod
    def empty_cache():
        pass
