/**
 * `node scripts/parallel.js typecheck lint`: runs the named npm scripts at the same time (each is
 * single-threaded; `npm test` runs them before Jest) and prints each one's output in one piece when
 * it ends. Exits 1 when any fails.
 */
'use strict';
const { spawn } = require('child_process');

const scripts = process.argv.slice(2);
const npm = process.env.npm_execpath;
Promise.all(scripts.map((script) => new Promise((resolve) => {
  // Under npm, npm_execpath is npm's CLI script: run it with this node rather than a shell.
  const [command, args] = npm ? [process.execPath, [npm, 'run', '-s', script]] : ['npm', ['run', '-s', script]];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.on('error', (e) => { output += `${e.message}\n`; });
  child.on('close', (code) => {
    process.stdout.write(`> ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`}\n${output}`);
    resolve(code === 0);
  });
}))).then((results) => { process.exitCode = results.every(Boolean) ? 0 : 1; });
