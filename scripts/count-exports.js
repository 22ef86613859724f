#!/usr/bin/env node
// Counts what a module exports, types included: `node scripts/count-exports.js [constructs/index.ts]`.
// Prints the total, how many are runtime values, and with --list every name. Used for the public
// surface figures in CHANGELOG.md; not part of the build.
const ts = require('typescript');
const path = require('path');

const args = process.argv.slice(2);
const list = args.includes('--list');
const entry = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'constructs/index.ts');
const program = ts.createProgram([entry], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry);
const moduleSymbol = source && checker.getSymbolAtLocation(source);
if (!moduleSymbol) throw new Error(`${entry}: not a module`);
const symbols = checker.getExportsOfModule(moduleSymbol).map((s) => {
  const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
  return { name: s.getName(), value: (target.flags & ts.SymbolFlags.Value) !== 0 };
}).sort((a, b) => a.name.localeCompare(b.name));
console.log(`${path.relative(process.cwd(), entry)}: ${symbols.length} exported symbols, ${symbols.filter((e) => e.value).length} of them values`);
if (list) for (const e of symbols) console.log(`${e.value ? 'value' : 'type '} ${e.name}`);
