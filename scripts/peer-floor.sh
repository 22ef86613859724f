#!/usr/bin/env bash
# The aws-cdk-lib floor of peerDependencies, tested: installs the lowest aws-cdk-lib and constructs
# that package.json's peerDependencies allow into a scratch directory, puts the built package beside
# them, and synthesizes the example (examples/lmi-endpoint-in-your-stack.ts) and a RagApi stack
# against them. Fails when either synthesis fails. `npm run peer-floor [aws-cdk-lib-version]` (a
# version argument measures another floor); `.ci/run` runs it. Needs the npm registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
floor() { node -p "require('$root/package.json').peerDependencies['$1'].replace(/^[\\^~>=\\s]+/, '')"; }
cdk_version="${1:-$(floor aws-cdk-lib)}"
constructs_version="$(floor constructs)"
work="$(mktemp -d "${TMPDIR:-/tmp}/llm-recipes-peer-floor.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [[ ! -f "$root/dist/constructs/index.js" || ! -f "$root/assets/rag-handler/index.js" ]]; then
  (cd "$root" && npm run build)
fi

echo "peer-floor: aws-cdk-lib@$cdk_version constructs@$constructs_version"
cd "$work"
echo '{ "name": "peer-floor", "version": "0.0.0", "private": true }' > package.json
npm install --no-audit --no-fund --loglevel=error "aws-cdk-lib@$cdk_version" "constructs@$constructs_version"
pkg="$work/node_modules/llm-recipes-cdk"
mkdir -p "$pkg"
cp -r "$root/package.json" "$root/dist" "$root/assets" "$pkg/"

# The example in JavaScript, importing the package as a consumer would.
node -e "
const fs = require('fs');
const source = fs.readFileSync('$root/examples/lmi-endpoint-in-your-stack.ts', 'utf-8').replace(/from '\.\.\/constructs'/g, \"from 'llm-recipes-cdk'\");
const { code } = require('$root/node_modules/esbuild').transformSync(source, { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20' });
fs.writeFileSync('example.js', code);
"
cat > rag.js <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const { KendraIndex, LmiEndpoint, LmiInstanceType, ModelPreset, RagApi, RagApiAuthorization } = require('llm-recipes-cdk');
const app = new App();
const stack = new Stack(app, 'PeerFloorRag');
const endpoint = new LmiEndpoint(stack, 'Llm', { model: ModelPreset.FALCON_7B, instanceType: LmiInstanceType.G5_12XLARGE });
new RagApi(stack, 'Rag', { retriever: KendraIndex.fromIndexId(stack, 'Index', '0123abcd-4567-89ef-0123-456789abcdef'), endpoint, authorization: RagApiAuthorization.iam() });
app.synth();
JS

for app in example rag; do
  CDK_OUTDIR="$work/cdk.out.$app" node "$app.js"
  count="$(node -e "
const fs = require('fs');
const dir = '$work/cdk.out.$app';
const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'));
if (templates.length === 0) throw new Error('no template in ' + dir);
console.log(templates.map((t) => Object.keys(JSON.parse(fs.readFileSync(dir + '/' + t, 'utf-8')).Resources).length).reduce((a, b) => a + b));
")"
  echo "peer-floor: $app synthesized against aws-cdk-lib@$cdk_version ($count resources)"
done
echo "peer-floor: OK"
