#!/usr/bin/env node
// Times one ONNX model under ONNX Runtime (onnxruntime-node, CPU EP).
//
// usage: node ort_runner.js --model M.onnx --inputs a.npy[,b.npy...]
//            [--threads N] [--warmup W] [--runs K] [--output out.npy] [--serve]
//
// Inputs are float32/int64/int32 .npy files (C order, little-endian), bound to
// the model's inputs in order. After W warmup runs (at least one) it writes
// the first output of the last one to --output (.npy), so the caller can
// compare it with dlc's. Then:
//   default  runs K timed runs and prints {"times_ms": [...]} on one line;
//   --serve  prints {"ready": true, ...} and answers each stdin line "K" with
//            {"times_ms": [...], "cpu_ms": [...]} (K timed runs); "quit" or
//            EOF ends it (cpu_ms: the process's CPU time per call). run.py
//            uses this to alternate ORT and dlc without reloading the model.
// Each time covers one session.run() call, feeds to output tensors.
'use strict';

const fs = require('fs');
const readline = require('readline');
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const args = {threads: 1, warmup: 3, runs: 10, serve: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') args.model = next();
    else if (a === '--inputs') args.inputs = next().split(',');
    else if (a === '--threads') args.threads = parseInt(next(), 10);
    else if (a === '--warmup') args.warmup = parseInt(next(), 10);
    else if (a === '--runs') args.runs = parseInt(next(), 10);
    else if (a === '--output') args.output = next();
    else if (a === '--serve') args.serve = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.model || !args.inputs) throw new Error('--model and --inputs are required');
  return args;
}

const NPY_TYPES = {
  '<f4': ['float32', Float32Array],
  '<f8': ['float64', Float64Array],
  '<i4': ['int32', Int32Array],
  '<i8': ['int64', BigInt64Array],
};

function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)[1];
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const type = NPY_TYPES[descr];
  if (!type) throw new Error(`${path}: unsupported dtype ${descr}`);
  const [name, Ctor] = type;
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  // Copy into a fresh, aligned buffer: the file's data offset need not be.
  const data = new Ctor(count);
  new Uint8Array(data.buffer).set(buf.subarray(start, start + count * Ctor.BYTES_PER_ELEMENT));
  return new ort.Tensor(name, data, shape);
}

function writeNpy(path, tensor) {
  const descr = {float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8'}[tensor.type];
  if (!descr) throw new Error(`cannot write output of type ${tensor.type}`);
  const dims = tensor.dims.map(String);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so magic + version + length + header is a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(path, Buffer.concat([
    pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

// Wall times, and the process's CPU time (all threads) per call as cpu_ms.
async function timeRuns(session, feeds, count) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < count; ++i) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  return {times_ms: times, cpu_ms: cpu};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (args.inputs.length !== session.inputNames.length) {
    throw new Error(`model has ${session.inputNames.length} inputs, got ${args.inputs.length} files`);
  }
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(args.inputs[i]); });

  let result = null;
  let warmupMs = 0;
  for (let i = 0; i < Math.max(args.warmup, 1); ++i) {
    const w0 = process.hrtime.bigint();
    result = await session.run(feeds);
    warmupMs = Number(process.hrtime.bigint() - w0) / 1e6;
  }
  if (args.output) writeNpy(args.output, result[session.outputNames[0]]);

  const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  if (!args.serve) {
    print({...(await timeRuns(session, feeds, args.runs)), load_ms: loadMs,
           warmup_ms: warmupMs, ort_version: ort.env.versions.common});
    return;
  }
  print({ready: true, load_ms: loadMs, warmup_ms: warmupMs,
         ort_version: ort.env.versions.common});
  const rl = readline.createInterface({input: process.stdin, terminal: false});
  for await (const line of rl) {
    const cmd = line.trim();
    if (cmd === '') continue;
    if (cmd === 'quit') break;
    const count = parseInt(cmd, 10);
    if (!(count > 0)) {
      print({error: `bad request '${cmd}'`});
      continue;
    }
    print(await timeRuns(session, feeds, count));
  }
  rl.close();
}

main().catch((e) => {
  process.stderr.write(`ort_runner: ${e.stack || e}\n`);
  process.exit(1);
});
