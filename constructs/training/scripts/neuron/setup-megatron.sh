#!/usr/bin/env bash
# Builds neuronx-nemo-megatron into a Python environment on the shared file system, once, from the
# head node as the cluster user: `bash setup-megatron.sh` in the recipe directory. Follows the
# neuronx-nemo-megatron GPT-3 tutorial (build.sh, the wheels, requirements.txt, the dataset helper).
set -euo pipefail
recipe_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$recipe_dir/recipe.env"
: "${VENV:?}" "${NNM_DIR:?}" "${NNM_COMMIT:?}"

if [[ ! -d "$NNM_DIR/.git" ]]; then
  git clone https://github.com/aws-neuron/neuronx-nemo-megatron.git "$NNM_DIR"
fi
git -C "$NNM_DIR" fetch --quiet origin
git -C "$NNM_DIR" checkout --quiet "$NNM_COMMIT"

if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
# shellcheck source=/dev/null
source "$VENV/bin/activate"
pip install --quiet --upgrade pip wheel build
pip config set global.extra-index-url https://pip.repos.neuron.amazonaws.com
# neuronx-nemo-megatron's build.sh pins torch 1.13.1: the Neuron plugin must be the 1.13.1 line.
pip install --quiet "neuronx-cc==2.*" "torch-neuronx==1.13.1.*"

(cd "$NNM_DIR" && ./build.sh)
pip install --quiet "$NNM_DIR"/build/*.whl
pip install --quiet -r "$NNM_DIR/requirements.txt" protobuf==3.20.3
# The Megatron dataset index helper is compiled once; "No neuron device available" is expected
# on the head node.
(cd "$HOME" && python -c "from nemo.collections.nlp.data.language_modeling.megatron.dataset_utils import compile_helper; compile_helper()")
echo "setup-megatron.sh: environment ready in $VENV"
