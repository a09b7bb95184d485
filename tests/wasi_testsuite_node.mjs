// wasi_testsuite_node.mjs - runs a WASI preview1 command with Node's
// node:wasi, taking `spindle run`'s arguments, so tests/wasi_testsuite.py
// can measure Node on the same machine as Spindle:
//
//   python3 tests/wasi_testsuite.py --suite ../shared/conformance/wasi-testsuite \
//       --work /tmp/node-work -- node tests/wasi_testsuite_node.mjs
//
// Arguments: [--env NAME=VALUE]... [--dir HOST::GUEST]... [--] MODULE.wasm [ARGS...]
// Exit status: the guest's exit code; 134 when it traps (message on stderr).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const env = {};
const preopens = {};
let i = 2;
const argv = process.argv;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') { i++; break; }
  if (a === '--env' && i + 1 < argv.length) {
    const kv = argv[++i];
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else if (a === '--dir' && i + 1 < argv.length) {
    const spec = argv[++i];
    const sep = spec.indexOf('::');
    if (sep < 0) preopens[spec] = spec;
    else preopens[spec.slice(sep + 2)] = spec.slice(0, sep);
  } else {
    break;
  }
}
const module = argv[i];
const args = [module, ...argv.slice(i + 1)];

const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
try {
  const bytes = await readFile(module);
  const compiled = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
} catch (e) {
  process.stderr.write(`trap: ${e && e.message ? e.message : e}\n`);
  process.exitCode = 134;
}
