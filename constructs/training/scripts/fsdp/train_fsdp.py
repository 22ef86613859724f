#!/usr/bin/env python3
"""Pretrain a GPT-style decoder with PyTorch Fully Sharded Data Parallel (FSDP).

Launched by fsdp.sbatch through torchrun, one process per GPU. Each process reads random windows of
a pre-tokenized corpus (a flat file of uint16 token ids), and the model is sharded with FULL_SHARD,
bf16 mixed precision and activation checkpointing of every block. Checkpoints go to a shared
directory (FSx for Lustre) every --save-every steps; a restarted job resumes from the newest one,
with the same data order, since windows are drawn from a generator seeded by the step.

With a single process (WORLD_SIZE unset or 1) the model is not wrapped in FSDP, so the same script
runs on a CPU for tests and smoke runs; torch.distributed.fsdp is imported only when sharding.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

# Decoder sizes (layers, hidden, heads, sequence). "tiny" is for tests; the others follow the
# GPT-3 paper's family (Brown et al. 2020, table 2.1), with 13B at hidden 5120 (the table's 5140
# does not split into its 40 heads of 128).
PRESETS = {
    "tiny": dict(layers=2, hidden=64, heads=4, seq=64),
    "gpt3-1.3b": dict(layers=24, hidden=2048, heads=16, seq=2048),
    "gpt3-6.7b": dict(layers=32, hidden=4096, heads=32, seq=2048),
    "gpt3-13b": dict(layers=40, hidden=5120, heads=40, seq=2048),
    "gpt3-175b": dict(layers=96, hidden=12288, heads=96, seq=2048),
}

# Token ids are stored as uint16, which holds the GPT-2 vocabulary (50257 ids).
GPT2_VOCAB = 50257


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", choices=sorted(PRESETS), default="gpt3-1.3b")
    p.add_argument("--vocab-size", type=int, default=GPT2_VOCAB)
    p.add_argument("--data", required=True, help="pre-tokenized corpus: flat uint16 token ids")
    p.add_argument("--checkpoint-dir", required=True, help="shared directory for checkpoints")
    p.add_argument("--max-steps", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=1, help="sequences per process per step")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--min-lr", type=float, default=3e-5)
    p.add_argument("--warmup-steps", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--save-every", type=int, default=500)
    p.add_argument("--keep-checkpoints", type=int, default=2)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--stop-at-step", type=int, default=None,
                   help="checkpoint and stop after this step (a time-boxed job); a later run resumes to --max-steps")
    p.add_argument("--no-activation-checkpointing", action="store_true")
    args = p.parse_args(argv)
    if args.max_steps < 1 or args.save_every < 1 or args.batch_size < 1:
        p.error("--max-steps, --save-every and --batch-size must be at least 1")
    return args


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    """Pre-norm decoder block: causal self-attention and a SwiGLU MLP."""

    def __init__(self, hidden, heads, checkpointing):
        super().__init__()
        self.heads = heads
        self.checkpointing = checkpointing
        self.attn_norm = RMSNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.proj = nn.Linear(hidden, hidden, bias=False)
        self.mlp_norm = RMSNorm(hidden)
        inner = 4 * hidden * 2 // 3
        self.gate = nn.Linear(hidden, inner, bias=False)
        self.up = nn.Linear(hidden, inner, bias=False)
        self.down = nn.Linear(inner, hidden, bias=False)

    def _attention(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.attn_norm(x)).split(c, dim=2)
        q, k, v = (y.view(b, t, self.heads, c // self.heads).transpose(1, 2) for y in (q, k, v))
        if hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch 1.x
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            y = att.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, c))

    def _forward(self, x):
        x = x + self._attention(x)
        h = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))

    def forward(self, x):
        if self.checkpointing and self.training:
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)


class GPT(nn.Module):
    def __init__(self, vocab, layers, hidden, heads, seq, checkpointing):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(seq, hidden)
        self.blocks = nn.ModuleList(Block(hidden, heads, checkpointing) for _ in range(layers))
        self.norm = RMSNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        self.head.weight = self.tok.weight
        self.apply(self._init)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.tok(idx) + self.pos(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.norm(x))
        return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1))


class TokenWindows:
    """Random windows of seq+1 tokens, reproducible from (seed, step, rank)."""

    def __init__(self, path, seq, vocab):
        self.tokens = np.memmap(path, dtype=np.uint16, mode="r")
        self.seq = seq
        if len(self.tokens) < seq + 2:
            raise SystemExit(f"{path}: {len(self.tokens)} tokens, fewer than one sequence of {seq + 1}")
        top = int(self.tokens.max())
        if top >= vocab:
            raise SystemExit(f"{path}: token id {top} is outside the vocabulary of {vocab}")

    def batch(self, seed, step, rank, batch_size, device):
        g = np.random.default_rng([seed, step, rank])
        starts = g.integers(0, len(self.tokens) - self.seq - 1, size=batch_size)
        rows = np.stack([self.tokens[s:s + self.seq + 1].astype(np.int64) for s in starts])
        data = torch.from_numpy(rows).to(device)
        return data[:, :-1], data[:, 1:]


def learning_rate(step, args):
    if step < args.warmup_steps:
        return args.lr * (step + 1) / args.warmup_steps
    progress = (step - args.warmup_steps) / max(1, args.max_steps - args.warmup_steps)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * min(1.0, progress)))


class Distributed:
    """torchrun's environment: RANK, LOCAL_RANK and WORLD_SIZE."""

    def __init__(self):
        self.world_size = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.sharded = self.world_size > 1
        if torch.cuda.is_available():
            torch.cuda.set_device(self.local_rank)
            self.device = torch.device("cuda", self.local_rank)
        else:
            self.device = torch.device("cpu")
        if self.sharded:
            import torch.distributed as dist
            dist.init_process_group(backend="nccl" if self.device.type == "cuda" else "gloo")

    def barrier(self):
        if self.sharded:
            import torch.distributed as dist
            dist.barrier()

    def mean(self, value):
        if not self.sharded:
            return value
        import torch.distributed as dist
        t = torch.tensor([value], device=self.device)
        dist.all_reduce(t)
        return t.item() / self.world_size


def shard(model, dist_env):
    """Wraps every block and the root in FSDP: full sharding, bf16 compute, fp32 master weights."""
    import functools
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
    from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

    bf16 = dist_env.device.type == "cuda" and torch.cuda.is_bf16_supported()
    mixed = MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.bfloat16, buffer_dtype=torch.bfloat16) if bf16 else None
    return FSDP(
        model,
        auto_wrap_policy=functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={Block}),
        sharding_strategy=ShardingStrategy.FULL_SHARD,
        mixed_precision=mixed,
        device_id=dist_env.device if dist_env.device.type == "cuda" else None,
        limit_all_gathers=True,
    )


def full_state(model, optimizer, dist_env):
    """Model and optimizer state gathered on rank 0 (None elsewhere)."""
    if not dist_env.sharded:
        return model.state_dict(), optimizer.state_dict()
    from torch.distributed.fsdp import FullStateDictConfig, FullOptimStateDictConfig, StateDictType
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

    with FSDP.state_dict_type(
        model, StateDictType.FULL_STATE_DICT,
        FullStateDictConfig(offload_to_cpu=True, rank0_only=True),
        FullOptimStateDictConfig(offload_to_cpu=True, rank0_only=True),
    ):
        return model.state_dict(), FSDP.optim_state_dict(model, optimizer)


def latest_checkpoint(directory):
    pointer = os.path.join(directory, "latest")
    if not os.path.exists(pointer):
        return None
    with open(pointer) as f:
        name = f.read().strip()
    path = os.path.join(directory, name)
    return path if os.path.isdir(path) else None


def save_checkpoint(model, optimizer, step, loss, args, dist_env):
    model_state, optim_state = full_state(model, optimizer, dist_env)
    if dist_env.rank == 0:
        name = f"step-{step:08d}"
        tmp = os.path.join(args.checkpoint_dir, f".{name}.tmp")
        os.makedirs(tmp, exist_ok=True)
        torch.save(model_state, os.path.join(tmp, "model.pt"))
        torch.save(optim_state, os.path.join(tmp, "optimizer.pt"))
        with open(os.path.join(tmp, "meta.json"), "w") as f:
            json.dump({"step": step, "loss": loss, "preset": args.preset, "seed": args.seed}, f)
        final = os.path.join(args.checkpoint_dir, name)
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        # The pointer moves only once the checkpoint is complete, so a crash mid-save resumes from the previous one.
        with open(os.path.join(args.checkpoint_dir, "latest.tmp"), "w") as f:
            f.write(name)
        os.replace(os.path.join(args.checkpoint_dir, "latest.tmp"), os.path.join(args.checkpoint_dir, "latest"))
        kept = sorted(d for d in os.listdir(args.checkpoint_dir) if d.startswith("step-"))
        for old in kept[:-args.keep_checkpoints]:
            shutil.rmtree(os.path.join(args.checkpoint_dir, old), ignore_errors=True)
        log({"event": "checkpoint", "step": step, "path": final})
    dist_env.barrier()


def log(record):
    print(json.dumps(record), flush=True)


def main(argv):
    args = parse_args(argv)
    cfg = PRESETS[args.preset]
    dist_env = Distributed()
    torch.manual_seed(args.seed)
    if dist_env.rank == 0:
        os.makedirs(args.checkpoint_dir, exist_ok=True)
    dist_env.barrier()

    # The corpus is checked before anything else, so a wrong vocabulary fails with its own message.
    data = TokenWindows(args.data, cfg["seq"], args.vocab_size)
    model = GPT(args.vocab_size, cfg["layers"], cfg["hidden"], cfg["heads"], cfg["seq"],
                checkpointing=not args.no_activation_checkpointing)
    start_step = 0
    resume = latest_checkpoint(args.checkpoint_dir)
    if resume:
        # Every rank loads the full weights before sharding, so FSDP shards the restored model.
        model.load_state_dict(torch.load(os.path.join(resume, "model.pt"), map_location="cpu"))
        with open(os.path.join(resume, "meta.json")) as f:
            start_step = json.load(f)["step"]
    if dist_env.sharded:
        # FSDP moves each wrapped block to the GPU as it shards it, so the whole model never sits
        # on one GPU.
        model = shard(model, dist_env)
    else:
        model.to(dist_env.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=args.weight_decay)
    if resume:
        optim_state = torch.load(os.path.join(resume, "optimizer.pt"), map_location="cpu")
        if dist_env.sharded:
            from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
            optim_state = FSDP.optim_state_dict_to_load(model=model, optim=optimizer, optim_state_dict=optim_state)
        optimizer.load_state_dict(optim_state)
        log({"event": "resumed", "step": start_step, "path": resume})

    params = sum(p.numel() for p in model.parameters()) * (dist_env.world_size if dist_env.sharded else 1)
    log({"event": "start", "preset": args.preset, "parameters": params, "world_size": dist_env.world_size,
         "sharded": dist_env.sharded, "device": dist_env.device.type, "start_step": start_step})

    model.train()
    loss_value = float("nan")
    tokens_per_step = args.batch_size * cfg["seq"] * dist_env.world_size
    for step in range(start_step, args.max_steps):
        started = time.time()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        inputs, targets = data.batch(args.seed, step, dist_env.rank, args.batch_size, dist_env.device)
        loss = model(inputs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if dist_env.sharded:
            model.clip_grad_norm_(args.grad_clip)
        else:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        loss_value = dist_env.mean(loss.item())
        if not math.isfinite(loss_value):
            raise SystemExit(f"step {step + 1}: loss is {loss_value}; stopping before it is checkpointed")
        if dist_env.rank == 0:
            log({"step": step + 1, "loss": round(loss_value, 5), "lr": learning_rate(step, args),
                 "tokens_per_s": round(tokens_per_step / max(time.time() - started, 1e-9))})
        stopping = args.stop_at_step is not None and step + 1 >= args.stop_at_step
        if (step + 1) % args.save_every == 0 or step + 1 == args.max_steps or stopping:
            save_checkpoint(model, optimizer, step + 1, loss_value, args, dist_env)
        if stopping:
            break
    if dist_env.rank == 0:
        log({"event": "done", "step": step + 1 if args.max_steps > start_step else start_step, "loss": loss_value})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
