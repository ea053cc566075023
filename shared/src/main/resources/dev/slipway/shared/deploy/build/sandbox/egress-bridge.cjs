'use strict';
// Runs inside a Slipway sandbox (a build or an app server), whose network namespace has only its own loopback:
// listens on 127.0.0.1:<port> and relays each connection to Slipway's egress proxy through the Unix socket bound
// into the sandbox, then runs the command and exits with its status (the sandbox ends with it).
// An app server also needs a way in: with --inbound, connections to the Unix socket <in> (which the local edge
// reaches from outside) are relayed to 127.0.0.1:<appPort> inside, and the file <ready> appears once the app
// listens there.
// And a way to its databases: each --tunnel <addr>:<port>=<host>:<hostPort> listens on <addr>:<port> and, per
// connection, asks the proxy for CONNECT <host>:<hostPort>, then pipes raw bytes (TLS stays end to end).
// Usage: node egress-bridge.cjs <port> <socket> [--inbound <in> <appPort> <ready>] [--tunnel <spec>]... <command> [args...]
const net = require('net');
const os = require('os');
const fs = require('fs');
const { spawn } = require('child_process');

const args = process.argv.slice(2);
const [port, socketPath] = args.splice(0, 2);
let inbound = null;
const tunnels = [];
for (;;) {
  if (args[0] === '--inbound') {
    const [, socket, appPort, ready] = args.splice(0, 4);
    inbound = { socket, appPort: Number(appPort), ready };
  } else if (args[0] === '--tunnel') {
    const m = /^(.+):(\d+)=(.+):(\d+)$/.exec(args.splice(0, 2)[1]);
    if (!m) {
      failed(new Error('a --tunnel is <addr>:<port>=<host>:<port>'));
    }
    tunnels.push({ address: m[1], port: Number(m[2]), target: m[3] + ':' + m[4] });
  } else {
    break;
  }
}
const command = args;

function relay(client, connect) {
  const upstream = connect();
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}

// One tunnelled connection: CONNECT through the proxy, then raw bytes both ways; a refusal goes to the server's log.
function tunnel(client, target) {
  client.pause();
  const upstream = net.connect(socketPath);
  let head = Buffer.alloc(0);
  const closeBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', (e) => {
    console.error('slipway sandbox: database tunnel to ' + target + ' failed: ' + e.message);
    closeBoth();
  });
  upstream.on('connect', () => upstream.write('CONNECT ' + target + ' HTTP/1.1\r\nHost: ' + target + '\r\n\r\n'));
  const onHead = (d) => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 16384) {
        closeBoth();
      }
      return;
    }
    upstream.removeListener('data', onHead);
    const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    if (!/^HTTP\/1\.[01] 200 /.test(status)) {
      const why = head.subarray(end + 4).toString('utf8').trim() || status;
      console.error('slipway sandbox: database tunnel to ' + target + ' refused: ' + why);
      // a clean close: what the app already sent is read and dropped first, so the app sees its connection end
      // (a destroy with unread bytes would reset it instead)
      upstream.destroy();
      client.resume();
      client.end();
      return;
    }
    const rest = head.subarray(end + 4);
    if (rest.length > 0) {
      client.write(rest);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };
  upstream.on('data', onHead);
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
// the tunnels listen before the command starts, so an app that connects to its database at once finds them
function listenTunnels() {
  return Promise.all(tunnels.map((t) => new Promise((resolve) => {
    const server = net.createServer((client) => tunnel(client, t.target));
    server.on('error', (e) => {
      console.error('slipway sandbox: database tunnel ' + t.address + ':' + t.port + ' cannot listen: ' + e.message);
      resolve();
    });
    server.listen(t.port, t.address, resolve);
  })));
}

egress.listen(Number(port), '127.0.0.1', async () => {
  if (inbound) {
    const wayIn = net.createServer((client) => relay(client, () => net.connect(inbound.appPort, '127.0.0.1')));
    wayIn.on('error', failed);
    wayIn.listen(inbound.socket);
  }
  await listenTunnels();
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
