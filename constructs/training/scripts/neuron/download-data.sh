#!/usr/bin/env bash
# Fetches what the GPT-3 tutorial trains on: the GPT-2 BPE vocabulary and merges, and AWS's
# pre-tokenized Wikipedia sample (Megatron .bin/.idx). neuronx-nemo-megatron's test.sh reads them
# from ~/examples_datasets/gpt2, which is linked to the shared file system.
set -euo pipefail
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$recipe_dir/recipe.env"
: "${DATA_DIR:?}"

mkdir -p "$DATA_DIR"
cd "$DATA_DIR"
for f in gpt2-vocab.json gpt2-merges.txt; do
  [[ -s $f ]] || curl -fsSL -o "$f" "https://s3.amazonaws.com/models.huggingface.co/bert/$f"
done
for f in my-gpt2_text_document.bin my-gpt2_text_document.idx license.txt; do
  [[ -s $f ]] || aws s3 cp --only-show-errors --no-sign-request "s3://neuron-s3/training_datasets/gpt/wikipedia/$f" "$f"
done
mkdir -p "$HOME/examples_datasets"
ln -sfn "$DATA_DIR" "$HOME/examples_datasets/gpt2"
echo "download-data.sh: data in $DATA_DIR, linked from $HOME/examples_datasets/gpt2"
