// node_wasi.mjs - runs one WASI preview1 program on Node's built-in node:wasi, for Spindle's
// benchmark runner (bench/run.py): `node --no-warnings node_wasi.mjs MODULE.wasm [ARGS...]`.
// The program gets argv = [module file name, ARGS...], an empty environment and no
// preopened directories; its exit code becomes Node's exit code. Written for Node 20
// (WASI needs no command-line flag there); also runs on Debian bookworm's own Node 18.20,
// which lacks getImportObject() (hence the fallback to wasiImport).
import { WASI } from 'node:wasi';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node node_wasi.mjs MODULE.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [basename(file), ...args], env: {} });
const module = await WebAssembly.compile(await readFile(file));
const imports = wasi.getImportObject ? wasi.getImportObject()
  : { wasi_snapshot_preview1: wasi.wasiImport };
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
