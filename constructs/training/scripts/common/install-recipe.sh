#!/usr/bin/env bash
# ParallelCluster OnNodeConfigured action of the head node: unpacks the recipe's job scripts (a
# CDK asset zip in S3) onto the shared file system and writes recipe.env from the KEY=VALUE
# arguments the construct rendered. Runs as root once the shared storage is mounted.
#
# Usage: install-recipe.sh <s3://bucket/key.zip> <target dir> <owner> [KEY=VALUE ...]
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 <s3-zip-url> <target-dir> <owner> [KEY=VALUE ...]" >&2
  exit 64
fi
archive_url=$1
target=$2
owner=$3
shift 3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws s3 cp --only-show-errors "$archive_url" "$work/recipe.zip"
# The recipe's parent (for example /fsx/llm-recipes) holds the user's environments too: the user owns it.
install -d -o "$owner" "$(dirname "$target")"
mkdir -p "$target"
python3 -m zipfile -e "$work/recipe.zip" "$target"

env_file="$target/recipe.env"
{
  echo "# Written by install-recipe.sh at node configuration; the CDK stack renders these values."
  for pair in "$@"; do
    if [[ ! "$pair" =~ ^[A-Z][A-Z0-9_]*=.*$ ]]; then
      echo "install-recipe.sh: argument '$pair' is not KEY=VALUE" >&2
      exit 65
    fi
    printf 'export %s=%q\n' "${pair%%=*}" "${pair#*=}"
  done
} > "$env_file"

# The setup scripts create Python environments; Ubuntu's python3 needs python3-venv for that.
if command -v apt-get >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
fi

find "$target" -type f \( -name '*.sh' -o -name '*.sbatch' -o -name '*.py' \) -exec chmod 0755 {} +
chown -R "$owner" "$target"
echo "install-recipe.sh: recipe installed in $target"
