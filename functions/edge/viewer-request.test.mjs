// node --test functions/edge/
// Loads viewer-request.js as CloudFront would run it, with a stub for the 'cloudfront' module:
// the import line is swapped for a stub whose kvs() reads the map below, and `handler` is exported.
// Its 'crypto' import is left alone: from a data: URL it resolves to node's own crypto module,
// whose createHash(...).update(s).digest('hex') is the API cloudfront-js-2.0 offers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, 'viewer-request.js'), 'utf8');
const IMPORT = "import cf from 'cloudfront';";
const CRYPTO = "import crypto from 'crypto';";

const store = new Map();
globalThis.__slipwayKvs = {
    async get(key) {
        if (!store.has(key)) {
            throw new Error('KeyNotFound');
        }
        return store.get(key);
    },
    async exists(key) {
        return store.has(key);
    }
};

// The origin each request was sent to by cf.updateRequestOrigin (null: the distribution's S3 origin).
globalThis.__slipwayOrigin = { last: null };
const stubbed = source.replace(IMPORT, 'const cf = { kvs: () => globalThis.__slipwayKvs, '
    + 'updateRequestOrigin: (o) => { globalThis.__slipwayOrigin.last = o; } };')
    + '\nexport { handler };\n';
const { handler } = await import('data:text/javascript;base64,' + Buffer.from(stubbed).toString('base64'));

const REL = '01jxa7m2q3r4s5t6v7w8x9yz0a';
const OTHER = '01jxb000000000000000000000';
store.set('shop', REL);
store.set('feature-x--shop', OTHER);
store.set('broken', 'not-a-release');

function event(host, uri, extra) {
    const request = { method: 'GET', uri: uri, querystring: {}, headers: host === null ? {} : { host: { value: host } }, cookies: {} };
    Object.assign(request.querystring, (extra || {}).querystring);
    Object.assign(request.headers, (extra || {}).headers);
    Object.assign(request.cookies, (extra || {}).cookies);
    return { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.1' }, request: request };
}

async function run(host, uri, extra) {
    globalThis.__slipwayOrigin.last = null;
    return handler(event(host, uri, extra));
}

test('source follows cloudfront-js-2.0 limits', () => {
    assert.ok(Buffer.byteLength(source) < 10 * 1024, 'function code must be under 10 KB');
    assert.ok(source.startsWith(IMPORT), 'the cloudfront import is the first line');
    const imports = source.match(/^\s*import\s.*$/gm);
    assert.deepEqual(imports, [IMPORT, CRYPTO], 'no module other than cloudfront and crypto');
    assert.ok(!/\brequire\s*\(/.test(source), 'no require');
    assert.ok(!/^\s*export\b/m.test(source), 'no export');
    assert.ok(/async function handler\(event\)/.test(source));
});

test('production host serves the release the router names', async () => {
    const r = await run('shop.apps.example.com', '/');
    assert.equal(r.uri, `/sites/shop/${REL}/index.html`);
});

test('port and case in the host are ignored', async () => {
    const r = await run('Shop.Apps.Example.com:443', '/');
    assert.equal(r.uri, `/sites/shop/${REL}/index.html`);
});

test('hashed asset path is kept', async () => {
    const r = await run('shop.apps.example.com', '/assets/index-4f3a9c1b.js');
    assert.equal(r.uri, `/sites/shop/${REL}/assets/index-4f3a9c1b.js`);
});

test('SPA fallback: extension-less paths serve index.html', async () => {
    for (const uri of ['/products/42', '/products/', '/a/b/c', '/index']) {
        const r = await run('shop.apps.example.com', uri);
        assert.equal(r.uri, `/sites/shop/${REL}/index.html`, uri);
    }
});

test('a dot in a folder name does not count, only in the last segment', async () => {
    const r = await run('shop.apps.example.com', '/v1.2/page');
    assert.equal(r.uri, `/sites/shop/${REL}/index.html`);
    const asset = await run('shop.apps.example.com', '/v1.2/logo.svg');
    assert.equal(asset.uri, `/sites/shop/${REL}/v1.2/logo.svg`);
});

test('release host resolves without a lookup', async () => {
    const id = '01jz00000000000000000000zz';
    const r = await run(`${id}--shop.apps.example.com`, '/assets/app.css');
    assert.equal(r.uri, `/sites/shop/${id}/assets/app.css`);
    // even for an app the router does not know
    const u = await run(`${id}--unlisted.apps.example.com`, '/');
    assert.equal(u.uri, `/sites/unlisted/${id}/index.html`);
});

test('preview host is looked up by its whole label', async () => {
    const r = await run('feature-x--shop.apps.example.com', '/cart');
    assert.equal(r.uri, `/sites/shop/${OTHER}/index.html`);
});

test('unknown app or preview is a 404 response', async () => {
    for (const host of ['nope.apps.example.com', 'other-pr--shop.apps.example.com', 'broken.apps.example.com']) {
        const r = await run(host, '/');
        assert.equal(r.statusCode, 404, host);
        assert.equal(r.headers['cache-control'].value, 'no-store');
        assert.equal(r.body.encoding, 'text');
    }
});

test('malformed hosts are a 400', async () => {
    for (const host of [null, '', 'a.example.com', '1shop.example.com', 'shop-.example.com', 'sh_op.example.com',
        'a--b--shop.example.com', '--shop.example.com', 'x--.example.com', 'x--sh--op.example.com',
        '01JXA7M2Q3R4S5T6V7W8X9YZ0A--Shop-.example.com', 'feature_x--shop.example.com', '-x--shop.example.com']) {
        const r = await run(host, '/');
        assert.equal(r.statusCode, 400, String(host));
    }
});

test('a ULID-like label with a letter outside Crockford base32 is treated as a preview name', async () => {
    // 'u' is not in the alphabet, so this is a (missing) preview, not a release.
    const r = await run('01jxa7m2q3r4s5t6v7w8x9yz0u--shop.example.com', '/');
    assert.equal(r.statusCode, 404);
});

test('path traversal cannot leave the release prefix', async () => {
    for (const uri of ['/../other/01jxb000000000000000000000/index.html', '/assets/../../x.js', '/%2e%2e/x.js',
        '/%2E%2E/%2e%2e/secret.txt', '/a/..%2f..%2fsecret.js', '/a/%2e%2e%2f%2e%2e%2fsecret.js', '/./x.js',
        '/a\\..\\b.js', '/a/%5c..%5cb.js', '/bad%zzescape.js', '/x%00.js']) {
        const r = await run('shop.apps.example.com', uri);
        assert.equal(r.statusCode, 400, uri);
    }
});

test('every rewritten uri stays under the release prefix', async () => {
    const prefix = `/sites/shop/${REL}/`;
    for (const uri of ['/', '/a..b.js', '/...js', '/a/b..', '/%252e%252e/x.js', '/x%2fy.js']) {
        const r = await run('shop.apps.example.com', uri);
        assert.ok(r.uri.startsWith(prefix), uri + ' -> ' + r.uri);
        const decoded = decodeURIComponent(r.uri.substring(prefix.length - 1));
        assert.ok(!decoded.split('/').includes('..'), uri);
    }
});

// The function is inlined into template.yaml as FunctionCode; the file stays the source of truth.
test('template.yaml inlines this exact file', () => {
    const yaml = readFileSync(join(here, '../../template.yaml'), 'utf8');
    const code = inlineFunctionCode(yaml);
    assert.notEqual(code, null, 'template.yaml: no FunctionCode block under EdgeViewerRequestFunction');
    assert.equal(code, source, 'template.yaml: FunctionCode differs from viewer-request.js');
});

// The literal block under `FunctionCode: |` of the EdgeViewerRequestFunction resource.
function inlineFunctionCode(yaml) {
    const lines = yaml.split('\n');
    const start = lines.findIndex((l) => /^\s*EdgeViewerRequestFunction:\s*$/.test(l));
    if (start < 0) {
        return null;
    }
    const at = lines.findIndex((l, i) => i > start && /^\s*FunctionCode:\s*\|\s*$/.test(l));
    if (at < 0) {
        return null;
    }
    const keyIndent = lines[at].match(/^\s*/)[0].length;
    const body = [];
    let indent = -1;
    for (let i = at + 1; i < lines.length; i++) {
        const l = lines[i];
        if (l.trim() === '') {
            body.push('');
            continue;
        }
        const n = l.match(/^\s*/)[0].length;
        if (n <= keyIndent) {
            break;
        }
        if (indent < 0) {
            indent = n;
        }
        body.push(l.substring(indent));
    }
    while (body.length && body[body.length - 1] === '') {
        body.pop();
    }
    return body.join('\n') + '\n';
}

// ---- protected previews: the router value is '{releaseId}:{sha256 hex of the token}' ----

const TOKEN_A = 'pA3x0Zb7m2Kp9sT4wYc1nLr8dF6gHj5aQe2uBo0iXk_';
const TOKEN_B = 'pB9q-Lr2Ws7nVc4xTz1mKd8fGh6jYa3eQu5oBi0pRs_';
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const SECRET = 'secret--shop.apps.example.com';
store.set('secret--shop', `${OTHER}:${sha256(TOKEN_A)}`);

function assertUnauthorized(r, why) {
    assert.equal(r.statusCode, 401, why);
    assert.equal(r.statusDescription, 'Unauthorized');
    assert.equal(r.headers['cache-control'].value, 'no-store');
    assert.ok(r.headers['www-authenticate'].value.length > 0);
    assert.equal(r.body.encoding, 'text');
    assert.equal(r.uri, undefined, 'nothing is forwarded');
}

test('a protected preview without its token is a 401', async () => {
    assertUnauthorized(await run(SECRET, '/'), 'no token');
    assertUnauthorized(await run(SECRET, '/', { headers: { 'x-slipway-preview-token': { value: TOKEN_B } } }), 'wrong header');
    assertUnauthorized(await run(SECRET, '/', { cookies: { slipway_preview: { value: TOKEN_B } } }), 'wrong cookie');
    assertUnauthorized(await run(SECRET, '/', { headers: { 'x-slipway-preview-token': { value: sha256(TOKEN_A) } } }), 'the hash is not the token');
    assertUnauthorized(await run(SECRET, '/', { querystring: { slipway_token: { value: TOKEN_B } } }), 'wrong link');
    assertUnauthorized(await run(SECRET, '/', { querystring: { slipway_token: { value: '%zz' } } }), 'malformed link');
});

test('the token in a header passes, and is not forwarded', async () => {
    const r = await run(SECRET, '/cart', {
        headers: { 'x-slipway-preview-token': { value: TOKEN_A }, accept: { value: 'text/html' } },
        cookies: { theme: { value: 'dark' } }
    });
    assert.equal(r.uri, `/sites/shop/${OTHER}/index.html`);
    assert.equal(r.headers['x-slipway-preview-token'], undefined);
    assert.equal(r.headers.accept.value, 'text/html');
    assert.equal(r.cookies.theme.value, 'dark');
});

test('the token in the cookie passes (any of several), and is not forwarded', async () => {
    const r = await run(SECRET, '/assets/app.js', { cookies: { slipway_preview: { value: TOKEN_B, multiValue: [{ value: TOKEN_B }, { value: TOKEN_A }] } } });
    assert.equal(r.uri, `/sites/shop/${OTHER}/assets/app.js`);
    assert.equal(r.cookies.slipway_preview, undefined);
});

test('the token in the query answers 302 that sets the cookie and drops the parameter', async () => {
    const r = await run(SECRET, '/cart', { querystring: {
        utm_source: { value: 'mail' }, slipway_token: { value: TOKEN_A }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%20c' }] }, flag: { value: '' }
    } });
    assert.equal(r.statusCode, 302);
    assert.equal(r.statusDescription, 'Found');
    assert.equal(r.headers.location.value, '/cart?utm_source=mail&tag=a&tag=b%20c&flag');
    assert.equal(r.headers['cache-control'].value, 'no-store');
    const cookie = r.cookies.slipway_preview;
    assert.equal(cookie.value, TOKEN_A);
    for (const a of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']) {
        assert.ok(cookie.attributes.split('; ').includes(a), a + ' in ' + cookie.attributes);
    }
    assert.match(cookie.attributes, /(^|; )Max-Age=\d+(;|$)/);
    assert.doesNotMatch(cookie.attributes, /domain=/i, 'per preview host');
    const only = await run(SECRET, '/', { querystring: { slipway_token: { value: TOKEN_A } } });
    assert.equal(only.headers.location.value, '/');
    // The browser comes back with the cookie.
    const back = await run(SECRET, '/cart', { cookies: { slipway_preview: { value: cookie.value } } });
    assert.equal(back.uri, `/sites/shop/${OTHER}/index.html`);
});

test('rotating the token revokes the old cookie and link', async () => {
    store.set('rotate--shop', `${OTHER}:${sha256(TOKEN_A)}`);
    const host = 'rotate--shop.apps.example.com';
    assert.equal((await run(host, '/', { cookies: { slipway_preview: { value: TOKEN_A } } })).uri, `/sites/shop/${OTHER}/index.html`);
    store.set('rotate--shop', `${OTHER}:${sha256(TOKEN_B)}`);
    assertUnauthorized(await run(host, '/', { cookies: { slipway_preview: { value: TOKEN_A } } }), 'old cookie');
    assertUnauthorized(await run(host, '/', { querystring: { slipway_token: { value: TOKEN_A } } }), 'old link');
    assert.equal((await run(host, '/', { cookies: { slipway_preview: { value: TOKEN_B } } })).uri, `/sites/shop/${OTHER}/index.html`);
    store.set('rotate--shop', OTHER);
    assert.equal((await run(host, '/')).uri, `/sites/shop/${OTHER}/index.html`, 'made public');
});

test('public hosts and release hosts ask for no token, and never forward one', async () => {
    const r = await run('shop.apps.example.com', '/', {
        headers: { 'x-slipway-preview-token': { value: TOKEN_A } },
        cookies: { slipway_preview: { value: TOKEN_A } },
        querystring: { slipway_token: { value: TOKEN_A }, q: { value: '1' } }
    });
    assert.equal(r.uri, `/sites/shop/${REL}/index.html`);
    assert.equal(r.headers['x-slipway-preview-token'], undefined);
    assert.equal(r.cookies.slipway_preview, undefined);
    assert.deepEqual(r.querystring, {}, 'S3 gets no query (nor the cache key)');
    const rel = await run(`${OTHER}--shop.apps.example.com`, '/');
    assert.equal(rel.uri, `/sites/shop/${OTHER}/index.html`);
});

test('malformed router values are a 404, never a route', async () => {
    for (const v of [`${OTHER}:`, `${OTHER}:${sha256(TOKEN_A).toUpperCase()}`, `${OTHER}:${sha256(TOKEN_A)}:x`,
        `${OTHER}:abc`, `:${sha256(TOKEN_A)}`, `${OTHER.toUpperCase()}:${sha256(TOKEN_A)}`]) {
        store.set('odd--shop', v);
        const r = await run('odd--shop.apps.example.com', '/');
        assert.equal(r.statusCode, 404, v);
    }
});

const SERVER_REL = '01jxc000000000000000000000';
const FN_HOST = 'abcdefghijklmnop.lambda-url.eu-west-1.on.aws';
const ORIGIN_SECRET = 'c2VjcmV0LW9yaWdpbi1rZXktZm9yLXRlc3RzLW9ubHk';

test('a server release sends dynamic paths to its function URL with the origin secret, untouched', async () => {
    store.set('fullstack', `${SERVER_REL};next;${FN_HOST};${ORIGIN_SECRET}`);
    const r = await run('FullStack.apps.example.com:443', '/products/7', {
        method: 'POST',
        querystring: { q: { value: '1' } },
        headers: { 'x-slipway-origin': { value: 'forged' }, 'x-slipway-route': { value: 'forged' } }
    });
    assert.equal(r.uri, '/products/7', 'the app sees its own path');
    assert.equal(r.querystring.q.value, '1');
    assert.equal(r.headers['x-forwarded-host'].value, 'fullstack.apps.example.com');
    assert.equal(r.headers['x-slipway-origin'], undefined, 'a viewer never sends the secret header itself');
    assert.equal(r.headers['x-slipway-route'].value, `fullstack/${SERVER_REL}`, 'the cache key holds host and release');
    const o = globalThis.__slipwayOrigin.last;
    assert.equal(o.domainName, FN_HOST);
    assert.deepEqual(o.customOriginConfig, { port: 443, protocol: 'https', sslProtocols: ['TLSv1.2'] });
    assert.deepEqual(o.originAccessControlConfig, { enabled: false });
    assert.deepEqual(o.customHeaders, { 'x-slipway-origin': ORIGIN_SECRET });
    const home = await run('fullstack.apps.example.com', '/');
    assert.equal(home.uri, '/', 'no index.html fallback for a server');
});

test("a server release's build assets come from S3", async () => {
    store.set('fullstack', `${SERVER_REL};next;${FN_HOST};${ORIGIN_SECRET}`);
    const r = await run('fullstack.apps.example.com', '/_next/static/chunks/main-abc.js');
    assert.equal(r.uri, `/sites/fullstack/${SERVER_REL}/_next/static/chunks/main-abc.js`);
    assert.equal(globalThis.__slipwayOrigin.last, null, 'the S3 origin, unchanged');
    store.set('nitroapp', `${SERVER_REL};nitro;${FN_HOST};${ORIGIN_SECRET}`);
    assert.equal((await run('nitroapp.apps.example.com', '/assets/index-1.js')).uri, `/sites/nitroapp/${SERVER_REL}/assets/index-1.js`);
    assert.equal((await run('nitroapp.apps.example.com', '/api/hello')).uri, '/api/hello');
    store.set('expressapp', `${SERVER_REL};node;${FN_HOST};${ORIGIN_SECRET}`);
    assert.equal((await run('expressapp.apps.example.com', '/assets/index-1.js')).uri, '/assets/index-1.js', 'node apps serve their own files');
});

test('a protected preview of a server release still asks for its token', async () => {
    store.set('pv--fullstack', `${SERVER_REL}:${sha256(TOKEN_A)};next;${FN_HOST};${ORIGIN_SECRET}`);
    assertUnauthorized(await run('pv--fullstack.apps.example.com', '/'), 'no token');
    assert.equal(globalThis.__slipwayOrigin.last, null);
    const r = await run('pv--fullstack.apps.example.com', '/x', { headers: { 'x-slipway-preview-token': { value: TOKEN_A } } });
    assert.equal(r.uri, '/x');
    assert.equal(r.headers['x-slipway-preview-token'], undefined, 'the token never reaches the server');
    assert.equal(globalThis.__slipwayOrigin.last.domainName, FN_HOST);
});

test('a release host reaches its server only through an entry of its own release', async () => {
    store.set(`${SERVER_REL}--fullstack`, `${SERVER_REL};react-router;${FN_HOST};${ORIGIN_SECRET}`);
    const r = await run(`${SERVER_REL}--fullstack.apps.example.com`, '/about');
    assert.equal(r.uri, '/about');
    assert.equal(r.headers['x-slipway-route'].value, `${SERVER_REL}--fullstack/${SERVER_REL}`);
    store.set(`${OTHER}--fullstack`, `${SERVER_REL};react-router;${FN_HOST};${ORIGIN_SECRET}`);
    const other = await run(`${OTHER}--fullstack.apps.example.com`, '/about');
    assert.equal(other.uri, `/sites/fullstack/${OTHER}/index.html`, 'an entry naming another release is ignored');
    assert.equal(globalThis.__slipwayOrigin.last, null);
});

test('malformed server routes are a 404, never an origin', async () => {
    for (const v of [`${SERVER_REL};next;${FN_HOST}`, `${SERVER_REL};php;${FN_HOST};${ORIGIN_SECRET}`,
        `${SERVER_REL};next;evil.example.com/x;${ORIGIN_SECRET}`, `${SERVER_REL};next;${FN_HOST};short`,
        `${SERVER_REL};next;${FN_HOST};${ORIGIN_SECRET};extra`]) {
        store.set('odd--shop', v);
        const r = await run('odd--shop.apps.example.com', '/');
        assert.equal(r.statusCode, 404, v);
        assert.equal(globalThis.__slipwayOrigin.last, null, v);
    }
});
