// node --test functions/edge/
// Runs Slipway's Lambda adapter (shared/.../deploy/server/lambda/slipway-lambda-adapter.mjs) with node
// as the Lambda Node runtime would: a function URL event (payload 2.0), a streaming response, and a
// real server bundle in a temporary folder whose server is started as a child process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PassThrough } from 'node:stream';

const here = dirname(fileURLToPath(import.meta.url));
const adapterPath = join(here, '../../shared/src/main/resources/dev/slipway/shared/deploy/server/lambda/slipway-lambda-adapter.mjs');

// The runtime's globals: streamifyResponse hands the stream to the handler; from() records the metadata.
globalThis.awslambda = {
    streamifyResponse: (fn) => fn,
    HttpResponseStream: { from: (stream, meta) => { stream.meta = meta; return stream; } }
};
const { createHandler, scopeOf } = await import(pathToFileURL(adapterPath));

const SECRET = 'c2VjcmV0LW9yaWdpbi1rZXktZm9yLXRlc3RzLW9ubHk';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:slipway-app-shop:preview-01jxa7m2q3r4s5t6v7w8x9yz0a';
const bundles = [];
const handlers = [];
after(() => {
    handlers.forEach((h) => h.stop());
    bundles.forEach((b) => rmSync(b, { recursive: true, force: true }));
});

function bundle(serverSource) {
    const root = mkdtempSync(join(tmpdir(), 'slipway-adapter-'));
    bundles.push(root);
    writeFileSync(join(root, 'slipway-server.json'), JSON.stringify({ entry: 'server.mjs', framework: 'node' }));
    writeFileSync(join(root, 'server.mjs'), serverSource);
    return root;
}

const ECHO = `
import http from 'node:http';
http.createServer((req, res) => {
    if (req.url === '/crash') { process.exit(3); }
    let body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.setHeader('content-type', 'application/json');
        res.write('{"method":' + JSON.stringify(req.method) + ',');
        setTimeout(() => res.end('"url":' + JSON.stringify(req.url) + ',"host":' + JSON.stringify(req.headers.host)
            + ',"cookie":' + JSON.stringify(req.headers.cookie || null) + ',"origin":' + JSON.stringify(req.headers['x-slipway-origin'] || null)
            + ',"body":' + JSON.stringify(Buffer.concat(body).toString('utf8')) + ',"greeting":' + JSON.stringify(process.env.GREETING || null)
            + ',"key":' + JSON.stringify(process.env.AWS_SECRET_ACCESS_KEY || null) + ',"pid":' + process.pid + '}'), 20);
    });
}).listen(Number(process.env.PORT), process.env.HOSTNAME);
`;

let nextPort = 18400 + Math.floor(Math.random() * 500);

function handlerFor(source, loaded) {
    const h = createHandler({
        root: bundle(source),
        secret: SECRET,
        port: nextPort++,
        loadVariables: async (scope) => {
            loaded.push(scope);
            return { GREETING: 'hello ' + scope };
        }
    });
    handlers.push(h);
    return h;
}

function urlEvent(path, extra) {
    return Object.assign({
        version: '2.0', rawPath: path, rawQueryString: '', cookies: [],
        headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'x-slipway-origin': SECRET, 'x-forwarded-host': 'shop.apps.example.com' },
        requestContext: { http: { method: 'GET' } }, isBase64Encoded: false
    }, extra || {});
}

async function call(handler, event, arn) {
    const stream = new PassThrough();
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    const done = new Promise((resolve) => stream.on('end', resolve));
    await handler(event, stream, { invokedFunctionArn: arn || ARN });
    await done;
    return { meta: stream.meta, body: Buffer.concat(chunks).toString('utf8') };
}

test('the alias names the scope', () => {
    assert.equal(scopeOf(ARN), 'preview');
    assert.equal(scopeOf(ARN.replace(':preview-', ':production-')), 'production');
    assert.equal(scopeOf('arn:aws:lambda:eu-west-1:123456789012:function:slipway-app-shop'), null);
    // a preview's own alias: the preview scope and that preview's values (a name with dashes included)
    const release = ARN.split(':')[7].substring('preview-'.length);
    assert.equal(scopeOf(ARN.replace(':preview-', ':pv-feature-x-')), 'preview/feature-x');
    assert.equal(scopeOf(ARN.replace(':preview-' + release, ':pv-feature-x')), null);
});

test('without the origin secret: 403 and no server started', async () => {
    const loaded = [];
    const h = handlerFor(ECHO, loaded);
    for (const given of [undefined, 'wrong', SECRET + 'x']) {
        const headers = { host: 'x' };
        if (given !== undefined) {
            headers['x-slipway-origin'] = given;
        }
        const r = await call(h, urlEvent('/', { headers: headers }));
        assert.equal(r.meta.statusCode, 403);
        assert.equal(r.meta.headers['content-type'], 'application/problem+json');
    }
    assert.deepEqual(loaded, []);
});

test('a request reaches the server as the viewer sent it, and the answer streams back with its cookies', async () => {
    const loaded = [];
    const h = handlerFor(ECHO, loaded);
    const r = await call(h, urlEvent('/products/7', { rawQueryString: 'q=1&r=2', cookies: ['s=abc', 't=def'] }));
    assert.equal(r.meta.statusCode, 200);
    assert.deepEqual(r.meta.cookies, ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(r.meta.headers['set-cookie'], undefined);
    const seen = JSON.parse(r.body);
    assert.equal(seen.url, '/products/7?q=1&r=2');
    assert.equal(seen.host, 'shop.apps.example.com', 'the app sees its public host');
    assert.equal(seen.cookie, 's=abc; t=def');
    assert.equal(seen.origin, null, 'the origin secret never reaches the app');
    assert.equal(seen.greeting, 'hello preview', "the alias's scope's variables");
    assert.equal(seen.key, null, "the function's credentials are not the app's");
    const again = JSON.parse((await call(h, urlEvent('/'))).body);
    assert.equal(again.pid, seen.pid, 'one server per execution environment');
    assert.deepEqual(loaded, ['preview']);
});

test("aliases of one version share an environment: each preview's request gets a server with its own values", async () => {
    const loaded = [];
    const h = handlerFor(ECHO, loaded);
    const one = JSON.parse((await call(h, urlEvent('/'), ARN.replace(':preview-', ':pv-one-'))).body);
    const two = JSON.parse((await call(h, urlEvent('/'), ARN.replace(':preview-', ':pv-two-'))).body);
    const oneAgain = JSON.parse((await call(h, urlEvent('/'), ARN.replace(':preview-', ':pv-one-'))).body);
    assert.equal(one.greeting, 'hello preview/one');
    assert.equal(two.greeting, 'hello preview/two', "never the other preview's server");
    assert.equal(oneAgain.greeting, 'hello preview/one');
    assert.notEqual(one.pid, two.pid);
    assert.deepEqual(loaded, ['preview/one', 'preview/two', 'preview/one']);
});

test('a body (base64 or text) is passed on byte for byte', async () => {
    const h = handlerFor(ECHO, []);
    const form = 'name=J%C3%BCrgen&x=1';
    const r = await call(h, urlEvent('/api/form', { body: Buffer.from(form).toString('base64'), isBase64Encoded: true,
        requestContext: { http: { method: 'POST' } } }));
    const seen = JSON.parse(r.body);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, form);
    const text = JSON.parse((await call(h, urlEvent('/api', { body: '{"a":1}', requestContext: { http: { method: 'PUT' } } }))).body);
    assert.equal(text.body, '{"a":1}');
});

test('a server that crashes answers 502, and the next request starts it again', async () => {
    const h = handlerFor(ECHO, []);
    const first = JSON.parse((await call(h, urlEvent('/'))).body);
    const crash = await call(h, urlEvent('/crash'));
    assert.equal(crash.meta.statusCode, 502);
    assert.equal(crash.meta.headers['content-type'], 'application/problem+json');
    await new Promise((r) => setTimeout(r, 100));
    const next = JSON.parse((await call(h, urlEvent('/'))).body);
    assert.notEqual(next.pid, first.pid, 'a new server');
});

test('a server that never listens answers 502 naming why', async () => {
    const h = handlerFor("console.error('boom'); process.exit(7);", []);
    const r = await call(h, urlEvent('/'));
    assert.equal(r.meta.statusCode, 502);
    assert.match(JSON.parse(r.body).detail, /exited with code 7 before it listened on PORT/);
});
