// Runs every listed export of a module on V8 (node's WebAssembly), each in a
// fresh instance, with zero arguments, and prints one JSON line per call:
// results, the calls made to the fuzzing-support log imports, and the trap.
// Usage: node v8_call.mjs MODULE.wasm '[{"name": "f", "params": ["i32"]}, ...]'
import { readFileSync } from 'node:fs';

const [, , modulePath, exportsJson] = process.argv;
const module = new WebAssembly.Module(readFileSync(modulePath));
const exportsToCall = JSON.parse(exportsJson);

// V8's trap messages, by substring, as wasmiot's trap kinds. V8 says "float
// unrepresentable in integer range" both for NaN (invalid conversion) and for
// out-of-range values (integer overflow): either kind matches it.
const kTraps = [
  ['unreachable', ['unreachable']],
  ['memory access out of bounds', ['memory-out-of-bounds']],
  ['divide by zero', ['divide-by-zero']],
  ['remainder by zero', ['divide-by-zero']],
  ['divide result unrepresentable', ['integer-overflow']],
  ['float unrepresentable in integer range', ['invalid-conversion', 'integer-overflow']],
  ['table index is out of bounds', ['indirect-call']],
  ['null function', ['indirect-call']],
  ['function signature mismatch', ['indirect-call']],
  ['Maximum call stack size exceeded', ['stack-exhausted']],
];

function number(type, v) {
  if (type === 'i64') return { type, value: v.toString() };
  if (type === 'i32') return { type, value: String(v | 0) };
  if (Number.isNaN(v)) return { type, value: 'nan' };
  if (v === Infinity) return { type, value: 'inf' };
  if (v === -Infinity) return { type, value: '-inf' };
  return { type, value: Object.is(v, -0) ? '-0' : String(v) };
}

for (const { name, params, results } of exportsToCall) {
  const calls = [];
  const log = (type) => (v) => { calls.push(number(type, v)); };
  const imports = { 'fuzzing-support': {
    log_i32: log('i32'), log_i64: log('i64'), log_f32: log('f32'), log_f64: log('f64'),
  } };
  const out = { name, results: [], calls, trap: null };
  try {
    const instance = new WebAssembly.Instance(module, imports);
    const args = params.map((t) => (t === 'i64' ? 0n : 0));
    let r = instance.exports[name](...args);
    if (results.length === 1) r = [r];
    if (results.length === 0) r = [];
    out.results = results.map((t, i) => number(t, r[i]));
  } catch (e) {
    const message = String(e && e.message);
    const known = kTraps.find(([text]) => message.includes(text));
    out.trap = known ? known[1] : ['other: ' + message];
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
