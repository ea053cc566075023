'use strict';
// Runs inside a Slipway sandbox (a build or an app server), whose network namespace has only its own loopback:
// listens on 127.0.0.1:<port> and relays each connection to Slipway's egress proxy through the Unix socket bound
// into the sandbox, then runs the command and exits with its status (the sandbox ends with it).
// An app server also needs a way in: with --inbound, connections to the Unix socket <in> (which the local edge
// reaches from outside) are relayed to 127.0.0.1:<appPort> inside, and the file <ready> appears once the app
// listens there.
// Usage: node egress-bridge.cjs <port> <socket> [--inbound <in> <appPort> <ready>] <command> [args...]
const net = require('net');
const os = require('os');
const fs = require('fs');
const { spawn } = require('child_process');

const args = process.argv.slice(2);
const [port, socketPath] = args.splice(0, 2);
let inbound = null;
if (args[0] === '--inbound') {
  const [, socket, appPort, ready] = args.splice(0, 4);
  inbound = { socket, appPort: Number(appPort), ready };
}
const command = args;

function relay(client, connect) {
  const upstream = connect();
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}

function failed(e) {
  console.error('slipway sandbox: the network relay failed: ' + e.message);
  process.exit(125);
}

// Until the app listens, ask every 20 ms; then say so once, for the host waiting on it.
function watchReady() {
  const probe = net.connect(inbound.appPort, '127.0.0.1');
  probe.on('connect', () => {
    probe.destroy();
    fs.writeFileSync(inbound.ready, '');
  });
  probe.on('error', () => setTimeout(watchReady, 20));
}

const egress = net.createServer((client) => relay(client, () => net.connect(socketPath)));
egress.on('error', failed);
egress.listen(Number(port), '127.0.0.1', () => {
  if (inbound) {
    const wayIn = net.createServer((client) => relay(client, () => net.connect(inbound.appPort, '127.0.0.1')));
    wayIn.on('error', failed);
    wayIn.listen(inbound.socket);
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  child.on('error', (e) => {
    console.error('slipway sandbox: could not start ' + command[0] + ': ' + e.message);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] || 0)));
  if (inbound) {
    watchReady();
  }
});
