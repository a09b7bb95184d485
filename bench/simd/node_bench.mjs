// node_bench.mjs - runs the SIMD benchmark module on Node (V8) for comparison:
// instantiates kernels.wasm once and times each export in-process (CPU time).
//   node node_bench.mjs kernels.wasm NAME REPS [NAME REPS ...]
// prints "NAME RESULT SECONDS" per export (one warm-up call with 1 rep first,
// so V8's compilation is not counted).
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
for (let i = 0; i + 1 < rest.length; i += 2) {
  const name = rest[i], reps = Number(rest[i + 1]);
  const fn = instance.exports[name];
  fn(1);
  const t = process.cpuUsage();
  const result = fn(reps);
  const used = process.cpuUsage(t);
  console.log(`${name} ${result} ${((used.user + used.system) / 1e6).toFixed(6)}`);
}
