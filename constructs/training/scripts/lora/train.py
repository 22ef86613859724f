"""LoRA / QLoRA instruction tuning on a SageMaker training job (issue 12).

Run as `python3 train.py` (one GPU) or `torchrun --nproc_per_node <gpus> train.py` (data parallel,
one process per GPU). Settings come from SageMaker's hyperparameters.json (hparams.py), data from
the `train` channel (records.py), the base model from the `model` channel when staged there, else
from the Hugging Face Hub at the pinned revision. Checkpoints go to /opt/ml/checkpoints (SageMaker
syncs them to S3; a restarted spot job resumes from the latest), the result to /opt/ml/model:
merged 16-bit weights or the LoRA adapter in safetensors, with manifest.json.

Written for the Hugging Face PyTorch training DLC 2.8 (transformers 4.56.2, TRL 0.23.0, PEFT
0.17.1, per aws/deep-learning-containers huggingface/pytorch/training/docker/2.8/py3/cu129/
Dockerfile.gpu), whose SFTConfig names the sequence length `max_length`; older TRL's
`max_seq_length` is used when that is the field there is. This model code has run in this
repository's tests only against recording stand-ins of those libraries
(test/training/lora/fake_libs): torch, transformers, TRL and PEFT are not installed there, and it
has not trained a real model.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import checkpoints  # noqa: E402
import hparams  # noqa: E402
import manifest  # noqa: E402
import prompts  # noqa: E402
import records  # noqa: E402
import runtime  # noqa: E402


def log(rank, message):
    if rank == 0:
        print(f'[lora] {message}', flush=True)


def hf_token(settings):
    if not settings.hf_token_secret_arn:
        return None
    import boto3  # in the DLC

    region = settings.hf_token_secret_arn.split(':')[3]
    secret = boto3.client('secretsmanager', region_name=region).get_secret_value(SecretId=settings.hf_token_secret_arn)
    return runtime.token_from_secret(secret.get('SecretString'))


def library_versions():
    versions = {}
    for name in ('torch', 'transformers', 'trl', 'peft', 'bitsandbytes', 'accelerate', 'datasets'):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 (a missing optional library is recorded as absent)
            versions[name] = None
    return versions


def compute_dtype():
    import torch

    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def load_base(source, revision, token, dtype, quantize, local_rank, on_cpu=False):
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quantization = None
    if quantize:
        # QLoRA: the frozen base in 4-bit NormalFloat with double quantization, computing in 16 bits.
        quantization = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type='nf4',
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
    # One full copy per process under torchrun (data parallel): each on its own GPU.
    device_map = {'': local_rank} if torch.cuda.is_available() and not on_cpu else None
    return AutoModelForCausalLM.from_pretrained(
        source,
        revision=revision,
        token=token,
        quantization_config=quantization,
        torch_dtype=dtype,  # renamed dtype in transformers 4.56, which still accepts torch_dtype
        device_map=device_map,
    )


def train(settings, dataset, paths, rank, local_rank, world_size):
    import dataclasses

    from datasets import Dataset as HfDataset
    from peft import LoraConfig, PeftModel
    from transformers import AutoTokenizer, set_seed
    from trl import SFTConfig, SFTTrainer

    set_seed(settings.seed)
    token = hf_token(settings)
    source, revision = runtime.model_source(settings, paths['model_channel'])
    log(rank, f'base model {source}' + (f' at {revision}' if revision else '') + f', {settings.method}, {world_size} process(es)')

    tokenizer = AutoTokenizer.from_pretrained(source, revision=revision, token=token)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    has_chat_template = bool(getattr(tokenizer, 'chat_template', None))
    template = prompts.choose_template(settings.prompt_template, has_chat_template, dataset.kind)
    language = prompts.detect_language(dataset.records)

    examples = prompts.build_examples(dataset.records, template, language, tokenizer.eos_token or '')
    train_data = HfDataset.from_list(examples)
    log(rank, f'{len(examples)} examples, template {template}' + (f' ({language})' if template == 'alpaca' else ''))

    dtype = compute_dtype()
    model = load_base(source, revision, token, dtype, settings.method == 'qlora', local_rank)
    # TRL 0.23's SFTTrainer runs PEFT's prepare_model_for_kbit_training itself for a 4-bit model
    # (trl/models/utils.py prepare_peft_model), with the gradient checkpointing asked for below.
    model.config.use_cache = False  # incompatible with gradient checkpointing

    lora = LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=settings.target_modules,
        bias='none',
        task_type='CAUSAL_LM',
    )
    import torch

    fields = {f.name for f in dataclasses.fields(SFTConfig)}
    config = {
        'output_dir': paths['checkpoints'],
        'num_train_epochs': settings.epochs,
        'per_device_train_batch_size': settings.per_device_batch_size,
        'gradient_accumulation_steps': settings.gradient_accumulation_steps,
        'learning_rate': settings.learning_rate,
        'lr_scheduler_type': 'cosine',
        'warmup_ratio': 0.03,
        'logging_steps': 10,
        'save_strategy': 'steps',
        'save_steps': hparams.save_steps(len(examples), settings.per_device_batch_size,
                                         settings.gradient_accumulation_steps, world_size, settings.epochs),
        'save_total_limit': 2,
        'gradient_checkpointing': True,
        'gradient_checkpointing_kwargs': {'use_reentrant': False},
        'bf16': dtype == torch.bfloat16,
        'fp16': dtype == torch.float16,
        'seed': settings.seed,
        'report_to': 'none',
        'ddp_find_unused_parameters': False,
        hparams.sft_length_argument(fields): settings.max_seq_length,
    }
    if 'completion_only_loss' in fields:
        config['completion_only_loss'] = True
    trainer = SFTTrainer(
        model=model,
        args=SFTConfig(**config),
        train_dataset=train_data,
        processing_class=tokenizer,
        peft_config=lora,
    )
    resume = checkpoints.latest_checkpoint(paths['checkpoints'])
    log(rank, f'resuming from {resume}' if resume else 'no checkpoint: starting from step 0')
    trainer.train(resume_from_checkpoint=resume)

    model_dir = paths['model_dir']
    if settings.output == 'adapter':
        trainer.save_model(model_dir)  # the adapter only (PEFT), in safetensors
    elif trainer.is_world_process_zero():
        # Merge on a 16-bit reload of the base: folding the update into 4-bit weights would requantize them.
        adapter_dir = tempfile.mkdtemp(prefix='adapter-')
        trainer.model.save_pretrained(adapter_dir, safe_serialization=True)
        del trainer, model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        # On the CPU: host memory (32 GiB on ml.g5.2xlarge) holds a 16-bit 7B base where one GPU may not.
        base = load_base(source, revision, token, dtype, False, local_rank, on_cpu=True)
        merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
        merged.save_pretrained(model_dir, safe_serialization=True, max_shard_size='5GB')
        shutil.rmtree(adapter_dir, ignore_errors=True)
    if rank == 0:
        tokenizer.save_pretrained(model_dir)
    return template, language


def main():
    rank, local_rank, world_size = runtime.world()
    paths = {name: runtime.path(name) for name in runtime.PATHS}
    try:
        settings = hparams.load_settings()
        dataset = records.load_dataset(paths['train'])
        log(rank, f'{len(dataset.records)} {dataset.kind} records in {len(dataset.files)} file(s), sha256 {dataset.sha256}')
        template, language = train(settings, dataset, paths, rank, local_rank, world_size)
        if rank == 0:
            written = manifest.write_manifest(paths['model_dir'], manifest.build_manifest(
                settings, dataset, template, language, world_size, library_versions()))
            log(rank, f'wrote {written}')
    except (hparams.SettingsError, records.DataError, prompts.TemplateError) as e:
        print(str(e), file=sys.stderr, flush=True)
        if rank == 0:
            runtime.write_failure(paths['output_dir'], str(e))
        return 2
    except Exception as e:  # noqa: BLE001 (SageMaker shows the failure file as the job's FailureReason)
        if rank == 0:
            runtime.write_failure(paths['output_dir'], f'{type(e).__name__}: {e}')
        raise
    return 0


if __name__ == '__main__':
    sys.exit(main())
