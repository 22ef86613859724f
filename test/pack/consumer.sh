#!/usr/bin/env bash
# Packs the library, installs the tarball into a scratch consumer app under the OS temp dir, and
# synthesizes a stack holding an LmiEndpoint and a RagApi (its handler the package's pre-built bundle) twice:
# with the `ts-node --prefer-ts-exts` app that `cdk init` generated for years, and compiled to JS.
# Fails when either synthesis fails or the template lacks the endpoint, the API or the bundled
# handler. `npm run test-pack`; `.ci/run` runs it. KEEP_CONSUMER=1 keeps the scratch directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/llm-recipes-consumer.XXXXXX")"
if [[ -z "${KEEP_CONSUMER:-}" ]]; then trap 'rm -rf "$work"' EXIT; else echo "consumer: keeping $work"; fi

version() { node -p "require('$root/node_modules/$1/package.json').version"; }

echo "consumer: npm pack (runs the build)"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
app="$work/app"
mkdir -p "$app/bin"
cd "$app"

cat > package.json <<'JSON'
{ "name": "consumer", "version": "0.0.0", "private": true }
JSON
# The tsconfig and cdk.json of `cdk init app --language typescript` (CDK v2 before 2.1000).
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2020", "module": "commonjs", "lib": ["es2020", "dom"], "declaration": true, "strict": true,
    "noImplicitAny": true, "strictNullChecks": true, "noImplicitThis": true, "alwaysStrict": true,
    "noUnusedLocals": false, "noUnusedParameters": false, "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": false, "inlineSourceMap": true, "inlineSources": true,
    "experimentalDecorators": true, "strictPropertyInitialization": false, "typeRoots": ["./node_modules/@types"],
    "rootDir": ".", "outDir": "build"
  },
  "exclude": ["node_modules", "cdk.out", "build"]
}
JSON
cat > cdk.json <<'JSON'
{ "app": "npx ts-node --prefer-ts-exts bin/consumer.ts" }
JSON
cat > bin/consumer.ts <<'TS'
import { App, Stack } from 'aws-cdk-lib';
import { KendraIndex, LmiEndpoint, LmiInstanceType, ModelPreset, RagApi, RagApiAuthorization } from 'llm-recipes-cdk';

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
const endpoint = new LmiEndpoint(stack, 'Llm', { model: ModelPreset.FALCON_7B, instanceType: LmiInstanceType.G5_12XLARGE });
new RagApi(stack, 'Rag', {
  retriever: KendraIndex.fromIndexId(stack, 'Index', '0123abcd-4567-89ef-0123-456789abcdef'),
  endpoint,
  authorization: RagApiAuthorization.iam(),
});
app.synth();
TS

echo "consumer: npm install $(basename "$tarball")"
npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "$work/$(basename "$tarball")" \
  "aws-cdk-lib@$(version aws-cdk-lib)" "constructs@$(version constructs)" \
  "ts-node@$(version ts-node)" "typescript@$(version typescript)" "@types/node@$(version @types/node)"

# The package's runtime needs are its peers: no bundler, no LangChain, no AWS SDK client at synth.
for heavy in esbuild @langchain/core @aws-sdk/client-kendra; do
  if [[ -e "node_modules/$heavy" ]]; then echo "consumer: $heavy was installed with the package" >&2; exit 1; fi
done

cdk="$root/node_modules/.bin/cdk"

check() {
  node - "$1" <<'JS'
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const template = JSON.parse(fs.readFileSync(path.join(out, 'ConsumerStack.template.json'), 'utf-8'));
const types = Object.values(template.Resources).map((r) => r.Type);
for (const type of ['AWS::SageMaker::Endpoint', 'AWS::ApiGateway::RestApi', 'AWS::Lambda::Function']) {
  if (!types.includes(type)) throw new Error(`${out}: no ${type} in the template`);
}
const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path']);
if (!fn) throw new Error(`${out}: the handler function has no asset`);
const bundle = path.join(out, fn.Metadata['aws:asset:path'], 'index.js');
if (!fs.existsSync(bundle) || fs.statSync(bundle).size < 1000) throw new Error(`${out}: no bundled handler at ${bundle}`);
console.log(`consumer: ${out}: ${types.length} resources, handler bundle ${fs.statSync(bundle).size} bytes`);
JS
}

echo "consumer: cdk synth with ts-node --prefer-ts-exts"
"$cdk" synth --quiet --no-notices --output cdk.out.ts-node
check cdk.out.ts-node

echo "consumer: tsc, then cdk synth of the compiled JS"
npx tsc -p tsconfig.json
"$cdk" synth --quiet --no-notices --app "node build/bin/consumer.js" --output cdk.out.js
check cdk.out.js

echo "consumer: the installed CLI"
npx --no-install llm-recipes --help | head -n 1 | grep -q '^llm-recipes:'
# --help needs no AWS SDK; the commands that call AWS load their clients from this file of the package.
node -e '
const sdk = require(require("path").resolve("node_modules/llm-recipes-cdk/dist/bin/llm-recipes-aws-sdk.js"));
const modules = Object.keys(sdk);
const broken = modules.filter((m) => !Object.keys(sdk[m]).some((k) => k.endsWith("Client") && typeof sdk[m][k] === "function"));
if (modules.length === 0 || broken.length > 0) { console.error("consumer: the SDK file lacks clients:", broken.join(", ") || "none bundled"); process.exit(1); }
'
echo "consumer: OK"
