#!/usr/bin/env node
// Streams telephone numbers to tnassignd's AssignmentService and prints every
// event the server sends back, one JSON object per line.
//
//   node assign.js --account 9900000 9195550001 '(919) 555-0002'
//   cut -d, -f2 numbers.csv | node assign.js --account 9900000 --unassign
//
// Flags: --server host:port (default 127.0.0.1:9090), --account ID (required),
// --unassign, --dry-run. Numbers come from the arguments, or from standard
// input (one per line) when there are none. Exit status: 0 when every number
// succeeded, 1 when some did not, 2 when the call failed.
'use strict';

const path = require('node:path');
const readline = require('node:readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// The API's .proto files, and the googleapis ones they import
// (`make third_party` extracts those). Override both to use a copy.
const root = path.join(__dirname, '..', '..');
const protoDir = process.env.TNASSIGN_PROTO_DIR || path.join(root, 'proto');
const googleapisDir = process.env.GOOGLEAPIS_DIR || path.join(root, 'third_party', 'googleapis');

function parseArgs(argv) {
  const opts = { server: '127.0.0.1:9090', account: '', unassign: false, dryRun: false, numbers: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--server') opts.server = argv[++i];
    else if (a === '--account') opts.account = argv[++i];
    else if (a === '--unassign') opts.unassign = true;
    else if (a === '--dry-run') opts.dryRun = true;
    else if (a.startsWith('--')) throw new Error(`unknown flag ${a}`);
    else opts.numbers.push(a);
  }
  if (!opts.account) throw new Error('--account is required, for example --account 9900000');
  return opts;
}

function loadService() {
  const def = protoLoader.loadSync('tnassign/v1/assignment_service.proto', {
    includeDirs: [protoDir, googleapisDir],
    longs: Number, // counts are int64; a job's counts fit a JavaScript number
    enums: String, // 'ACTION_ASSIGN', 'PROCESSING_STATUS_COMPLETE', ...
    defaults: true,
    oneofs: true, // each response says which event it is in `event`
  });
  return grpc.loadPackageDefinition(def).tnassign.v1.AssignmentService;
}

// Yields the numbers in messages of up to 1,000.
async function* batches(opts) {
  let batch = [];
  const lines = opts.numbers.length > 0
    ? opts.numbers
    : readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const n = line.trim();
    if (n === '') continue;
    batch.push(n);
    if (batch.length === 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// Writes messages, waiting whenever the stream asks us to (backpressure).
async function send(call, opts) {
  let first = true;
  for await (const telephoneNumbers of batches(opts)) {
    const msg = { telephoneNumbers };
    if (first) {
      Object.assign(msg, { accountId: opts.account, validateOnly: opts.dryRun });
      first = false;
    }
    if (!call.write(msg)) await new Promise((resolve) => call.once('drain', resolve));
  }
  call.end();
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`assign.js: ${err.message}`);
    process.exit(2);
  }
  const Service = loadService();
  const client = new Service(opts.server, grpc.credentials.createInsecure());
  const call = opts.unassign ? client.unassignNumbers() : client.assignNumbers();

  let finished = null;
  call.on('data', (res) => {
    const event = res[res.event];
    console.log(JSON.stringify({ [res.event]: event }));
    if (res.event === 'finished') finished = event;
  });
  call.on('error', (err) => {
    console.error(`assign.js: ${grpc.status[err.code]}: ${err.details}`);
    process.exitCode = 2;
  });
  call.on('end', () => {
    client.close();
    if (process.exitCode === 2 || !finished) return;
    const ok = opts.dryRun
      ? finished.rejectedCount === 0
      : finished.succeededCount === finished.receivedCount;
    process.exitCode = ok ? 0 : 1;
  });
  send(call, opts).catch((err) => {
    console.error(`assign.js: ${err.message}`);
    call.cancel();
  });
}

main();
