#!/usr/bin/env bash
# Downloads the pre-tokenized Wikipedia sample AWS publishes for the GPT-3 tutorials (GPT-2 BPE
# token ids in Megatron's .bin layout: a flat array of uint16, which train_fsdp.py reads directly)
# into the data directory on the shared file system.
set -euo pipefail
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$recipe_dir/recipe.env"
: "${DATA_PATH:?recipe.env must set DATA_PATH}"

source_prefix=s3://neuron-s3/training_datasets/gpt/wikipedia
mkdir -p "$(dirname "$DATA_PATH")"
if [[ -s "$DATA_PATH" ]]; then
  echo "download-data.sh: $DATA_PATH already present"
  exit 0
fi
aws s3 cp --only-show-errors --no-sign-request "$source_prefix/my-gpt2_text_document.bin" "$DATA_PATH.partial"
aws s3 cp --only-show-errors --no-sign-request "$source_prefix/license.txt" "$(dirname "$DATA_PATH")/license.txt"
mv "$DATA_PATH.partial" "$DATA_PATH"
echo "download-data.sh: $(($(stat -c %s "$DATA_PATH") / 2)) tokens in $DATA_PATH"
