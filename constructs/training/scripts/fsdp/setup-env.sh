#!/usr/bin/env bash
# Creates the Python environment of the FSDP recipe on the shared file system, once, from the
# head node: `bash setup-env.sh` in the recipe directory. Compute nodes use it through /fsx.
set -euo pipefail
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$recipe_dir/recipe.env"
: "${VENV:?recipe.env must set VENV}" "${TORCH_VERSION:?recipe.env must set TORCH_VERSION}"

if [[ -x "$VENV/bin/torchrun" ]]; then
  echo "setup-env.sh: $VENV already has torch; delete it to rebuild"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "torch==${TORCH_VERSION}" numpy
"$VENV/bin/python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
