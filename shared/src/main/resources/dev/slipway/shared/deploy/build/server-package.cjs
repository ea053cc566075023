'use strict';
// Slipway's server packaging, run in the app's folder by the local build (LocalBuildRunner, in the build's
// sandbox) and by the CodeBuild buildspec (template.yaml inlines this file; a test keeps the two identical).
//   node server-package.cjs check             before install: fails for an app that needs a Python backend
//   node server-package.cjs package <outDir>  after the build: when the app has a server, writes
//     .slipway-server/server.json  {"framework","entry"}
//     .slipway-server/static/      what the edge serves as files (Next's _next/static and public, Nitro's public …)
//     .slipway-server/bundle/      the server with its production dependencies; `node <entry>` runs it
//   and nothing for a static app. A failure prints one line and exits 2: the deployment fails with it.
// Only plain files are written: symbolic links are followed when they stay inside the app, else refused.
const fs = require('fs');
const path = require('path');

const root = fs.realpathSync(process.cwd());
const OUT = path.join(root, '.slipway-server');
const SERVER_DEPENDENCIES = ['express', 'fastify', 'hono', '@hono/node-server', 'koa', '@nestjs/core', 'h3', 'polka'];

function fail(message) {
  process.stderr.write('server packaging: ' + message + '\n');
  process.exit(2);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return null;
  }
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (e) {
    return false;
  }
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch (e) {
    return false;
  }
}

function inside(p) {
  return p === root || p.startsWith(root + path.sep);
}

/** Copies src (a file or folder inside the app) to dst as plain files; skip(relative path) leaves parts out. */
function copy(src, dst, skip, seen) {
  seen = seen || new Set();
  const real = fs.realpathSync(src);
  if (!inside(real)) {
    fail(path.relative(root, src) + ' is a symbolic link to outside the app');
  }
  const st = fs.statSync(real);
  if (st.isFile()) {
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(real, dst);
    fs.chmodSync(dst, st.mode & 0o755);
    return;
  }
  if (!st.isDirectory()) {
    fail(path.relative(root, src) + ' is neither a file nor a folder');
  }
  if (seen.has(real)) {
    fail(path.relative(root, src) + ' is a symbolic link loop');
  }
  seen.add(real);
  fs.mkdirSync(dst, { recursive: true });
  for (const name of fs.readdirSync(src)) {
    const from = path.join(src, name);
    if (skip && skip(from)) {
      continue;
    }
    copy(from, path.join(dst, name), skip, seen);
  }
  seen.delete(real);
}

function pythonBackend() {
  for (const dir of ['', 'backend', 'server', 'api']) {
    for (const file of ['requirements.txt', 'pyproject.toml', 'Pipfile']) {
      const p = path.join(root, dir, file);
      if (!isFile(p)) {
        continue;
      }
      const text = fs.readFileSync(p, 'utf8').toLowerCase();
      const framework = ['fastapi', 'flask', 'django', 'uvicorn', 'starlette'].find((f) => text.includes(f));
      if (framework) {
        return { framework, file: path.join(dir, file) };
      }
    }
  }
  return null;
}

// Node's lookup (…/node_modules/<name> from the package's folder up to the app), on the folders as laid out:
// what is found here is what `node` finds in the bundle, where every package is a plain copy.
function lookup(fromDir, name) {
  let d = fromDir;
  for (;;) {
    if (path.basename(d) !== 'node_modules') {
      const candidate = path.join(d, 'node_modules', name);
      if (isFile(path.join(root, candidate, 'package.json'))) {
        return candidate;
      }
    }
    if (d === '' || d === '.') {
      return null;
    }
    d = path.dirname(d);
    d = d === '.' ? '' : d;
  }
}

/** The app's production dependencies and theirs (dependencies, optionalDependencies), as folders relative to the app. */
function productionDependencies(pkg) {
  const picked = new Set();
  const queue = [['', pkg]];
  while (queue.length > 0) {
    const [dir, manifest] = queue.shift();
    const wanted = [
      ...Object.keys(manifest.dependencies || {}).map((n) => [n, false]),
      ...Object.keys(manifest.optionalDependencies || {}).map((n) => [n, true]),
    ];
    for (const [name, optional] of wanted) {
      const found = lookup(dir, name);
      if (found === null) {
        if (optional) {
          continue;
        }
        fail('the production dependency ' + name + (dir ? ' of ' + dir : '') + ' is not in node_modules as npm lays it out'
          + ' (pnpm\'s linked layout is not supported yet: set node-linker=hoisted in .npmrc)');
      }
      if (!picked.has(found)) {
        picked.add(found);
        queue.push([found, readJson(path.join(root, found, 'package.json')) || {}]);
      }
    }
  }
  return [...picked].sort();
}

function copyDependencies(pkg, bundle) {
  for (const dep of productionDependencies(pkg)) {
    const src = path.join(root, dep);
    copy(src, path.join(bundle, dep), (p) => p === path.join(src, 'node_modules'));
  }
}

/** `node [flags] <file.js>` after any VAR=value assignments, or null. */
function nodeEntry(start) {
  const m = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*node\s+((?:--?[A-Za-z0-9-]+(?:=\S+)?\s+)*)([^\s;&|<>]+\.[cm]?js)\s*$/.exec(start || '');
  return m ? path.normalize(m[2]).replace(/^\.\//, '') : null;
}

function write(framework, entry) {
  fs.writeFileSync(path.join(OUT, 'server.json'), JSON.stringify({ framework, entry }) + '\n');
  process.stdout.write('server packaging: ' + framework + ' server, entry ' + entry + '\n');
}

function packageServer(outDir) {
  fs.rmSync(OUT, { recursive: true, force: true });
  const pkg = readJson(path.join(root, 'package.json')) || {};
  const deps = Object.assign({}, pkg.devDependencies, pkg.dependencies);
  const bundle = path.join(OUT, 'bundle');
  const stat = path.join(OUT, 'static');
  const out = path.join(root, outDir || 'dist');

  // Next.js: its standalone output (the build ran with NEXT_PRIVATE_STANDALONE=true, which is Next's own
  // default for `output` unless next.config sets one: an `output: 'export'` app stays static).
  if (deps.next && isFile(path.join(out, 'standalone', 'server.js'))) {
    fs.mkdirSync(stat, { recursive: true });
    copy(path.join(out, 'standalone'), bundle);
    if (isDir(path.join(out, 'static'))) {
      copy(path.join(out, 'static'), path.join(stat, '_next', 'static'));
      // the server answers for its own assets too (the image optimizer reads them)
      copy(path.join(out, 'static'), path.join(bundle, path.relative(root, out), 'static'));
    }
    if (isDir(path.join(root, 'public'))) {
      copy(path.join(root, 'public'), stat);
      copy(path.join(root, 'public'), path.join(bundle, 'public'));
    }
    return write('next', 'server.js');
  }
  // Nitro (TanStack Start, Nuxt, SolidStart …) with its node-server preset.
  if (isFile(path.join(root, '.output', 'server', 'index.mjs'))) {
    fs.mkdirSync(stat, { recursive: true });
    copy(path.join(root, '.output', 'server'), path.join(bundle, '.output', 'server'));
    if (isDir(path.join(root, '.output', 'public'))) {
      copy(path.join(root, '.output', 'public'), stat);
    }
    return write('nitro', '.output/server/index.mjs');
  }
  // React Router 7 (framework mode): its server build, run by @react-router/serve.
  if (deps['@react-router/dev'] && isFile(path.join(root, 'build', 'server', 'index.js'))) {
    const serve = lookup('', '@react-router/serve');
    if (serve === null || !(pkg.dependencies || {})['@react-router/serve']) {
      fail('this React Router app has a server build but no @react-router/serve in its dependencies, which runs it');
    }
    const bin = (readJson(path.join(root, serve, 'package.json')) || {}).bin;
    const cli = typeof bin === 'string' ? bin : bin && bin['react-router-serve'];
    if (!cli) {
      fail('@react-router/serve names no react-router-serve program');
    }
    fs.mkdirSync(stat, { recursive: true });
    copy(path.join(root, 'build', 'server'), path.join(bundle, 'build', 'server'));
    copy(path.join(root, 'build', 'client'), path.join(bundle, 'build', 'client'));
    copy(path.join(root, 'build', 'client'), stat);
    copy(path.join(root, 'package.json'), path.join(bundle, 'package.json'));
    copyDependencies(pkg, bundle);
    fs.writeFileSync(path.join(bundle, 'slipway-react-router.mjs'),
      "process.argv.splice(2, process.argv.length, 'build/server/index.js');\n"
      + 'await import(' + JSON.stringify('./' + path.posix.join(serve.split(path.sep).join('/'), cli)) + ');\n');
    return write('react-router', 'slipway-react-router.mjs');
  }
  // A Node server app: its start script runs `node <file>` (Express, Fastify, Hono …).
  const start = (pkg.scripts || {}).start;
  const entry = nodeEntry(start);
  if (entry !== null) {
    if (!isFile(path.join(root, entry)) || !inside(path.resolve(root, entry))) {
      fail('the start script runs ' + entry + ', which the build did not make');
    }
    fs.mkdirSync(stat, { recursive: true });
    const skipped = new Set(['node_modules', '.git', '.slipway-server'].map((n) => path.join(root, n)));
    copy(root, bundle, (p) => skipped.has(p));
    copyDependencies(pkg, bundle);
    const entryPath = path.resolve(root, entry);
    // the client the server serves; a server file in the output folder (dist/index.js) stays private
    const client = !entryPath.startsWith(out + path.sep) ? out : isDir(path.join(out, 'public')) ? path.join(out, 'public') : null;
    if (client !== null && isDir(client)) {
      copy(client, stat);
    }
    return write('node', entry);
  }
  if (start && SERVER_DEPENDENCIES.some((d) => deps[d])) {
    fail('the start script `' + start.trim() + '` does not run a JavaScript file with node; Slipway starts servers with'
      + ' `node <file>` (build TypeScript to JavaScript first, e.g. with esbuild or tsc)');
  }
  process.stdout.write('server packaging: no server (a static app)\n');
}

const [mode, outDir] = process.argv.slice(2);
if (mode === 'check') {
  const python = pythonBackend();
  if (python) {
    fail('this app needs a Python backend (' + python.framework + ', ' + python.file + '); Slipway runs Node.js servers only,'
      + ' so the backend is missing: move its API to a Node.js server or deploy the backend elsewhere');
  }
} else if (mode === 'package') {
  packageServer(outDir);
} else {
  fail('usage: server-package.cjs check | package <outDir>');
}
