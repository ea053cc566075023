'use strict';
// Runs inside a Slipway build sandbox, whose network namespace has only its own loopback: listens on
// 127.0.0.1:<port> and relays each connection to Slipway's egress proxy through the Unix socket bound into the
// sandbox, then runs the build command and exits with its status (the sandbox ends with it).
// Usage: node egress-bridge.cjs <port> <socket> <command> [args...]
const net = require('net');
const os = require('os');
const { spawn } = require('child_process');

const [port, socketPath, ...command] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.on('error', (e) => {
  console.error('slipway sandbox: the network relay failed: ' + e.message);
  process.exit(125);
});
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  child.on('error', (e) => {
    console.error('slipway sandbox: could not start ' + command[0] + ': ' + e.message);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] || 0)));
});
