#!/usr/bin/env bash
# Tokenizes your own corpus for the GPT-3 presets: JSON lines with a "text" field in, a Megatron
# .bin/.idx pair with the GPT-2 BPE vocabulary out (NeMo's preprocess_data_for_megatron.py).
# Usage: bash tokenize.sh <input.jsonl> <output prefix>
set -euo pipefail
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$recipe_dir/recipe.env"
: "${VENV:?}" "${NNM_DIR:?}" "${DATA_DIR:?}"

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <input.jsonl> <output-prefix>" >&2
  exit 64
fi
# shellcheck source=/dev/null
source "$VENV/bin/activate"
python "$NNM_DIR/nemo/scripts/nlp_language_modeling/preprocess_data_for_megatron.py" \
  --input "$1" \
  --json-keys text \
  --tokenizer-library megatron \
  --tokenizer-type GPT2BPETokenizer \
  --vocab-file "$DATA_DIR/gpt2-vocab.json" \
  --merge-file "$DATA_DIR/gpt2-merges.txt" \
  --dataset-impl mmap \
  --append-eod \
  --workers "$(nproc)" \
  --output-prefix "$2"
