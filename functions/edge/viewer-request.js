import cf from 'cloudfront';
import crypto from 'crypto';

// Slipway edge router (cloudfront-js-2.0, viewer-request; inlined in template.yaml, a test keeps them
// equal; dev.slipway.local.edge.LocalEdge serves the same rules). Host {app} or {label}--{app} (first
// label only) -> /sites/{app}/{release}{path}. Router values (RouteEntry): '{release}[:{sha256}]'
// [';{framework};{host};{secret}']. A hash guards a preview: 401 unless header, cookie or query shows
// its token (a query token 302s to set the cookie). A server suffix sends all but the framework's asset
// prefixes to the release's function URL with the origin secret. Tokens never reach an origin.

const kvs = cf.kvs();
const APP = /^[a-z][a-z0-9-]{1,39}$/;
const RELEASE = /^[0-9a-hjkmnp-tv-z]{26}$/;
const PREVIEW = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const HASH = /^[0-9a-f]{64}$/;
const TOKEN_HEADER = 'x-slipway-preview-token';
const TOKEN_COOKIE = 'slipway_preview';
const TOKEN_QUERY = 'slipway_token';
// Rotating the token (a new hash in the store) is what revokes a cookie, not its age.
const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=604800';
const STATUS = { 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' };
// The same table as dev.slipway.shared.deploy.routing.ServerRoute (a test keeps them equal).
const STATIC_PREFIXES = { 'next': ['/_next/static/'], 'nitro': ['/assets/', '/_build/'], 'react-router': ['/assets/'], 'node': [] };
const ORIGIN_HEADER = 'x-slipway-origin';
const ROUTE_HEADER = 'x-slipway-route';
const ORIGIN_HOST = /^[a-z0-9](?:[a-z0-9-]{0,62}\.){1,6}[a-z]{2,63}$/;
const SECRET = /^[A-Za-z0-9_-]{32,64}$/;

function reply(status, text) {
    return {
        statusCode: status,
        statusDescription: STATUS[status],
        headers: {
            'content-type': { value: 'text/plain; charset=utf-8' },
            'cache-control': { value: 'no-store' }
        },
        body: { encoding: 'text', data: text + '\n' }
    };
}

function unauthorized() {
    let r = reply(401, 'This preview is protected: open it with its preview link');
    r.headers['www-authenticate'] = { value: 'SlipwayPreview realm="preview"' };
    return r;
}

// {releaseId, hash, server}, hash null for a public host, server null for static files only;
// null when the value is malformed.
function parseEntry(value) {
    let fields = (value || '').split(';');
    let parts = fields[0].split(':');
    if (parts.length > 2 || !RELEASE.test(parts[0]) || (parts.length === 2 && !HASH.test(parts[1]))) {
        return null;
    }
    let server = null;
    if (fields.length > 1) {
        if (fields.length !== 4 || !STATIC_PREFIXES[fields[1]] || !ORIGIN_HOST.test(fields[2]) || !SECRET.test(fields[3])) {
            return null;
        }
        server = { framework: fields[1], host: fields[2], secret: fields[3] };
    }
    return { releaseId: parts[0], hash: parts.length === 2 ? parts[1] : null, server: server };
}

function servesStatic(server, uri) {
    let prefixes = STATIC_PREFIXES[server.framework];
    for (let i = 0; i < prefixes.length; i++) {
        if (uri.indexOf(prefixes[i]) === 0) {
            return true;
        }
    }
    return false;
}

// Sends the request as it came (path, query, cookies, body) to the release's function URL.
function toServer(request, server, host) {
    request.headers['x-forwarded-host'] = { value: host };
    let secret = {};
    secret[ORIGIN_HEADER] = server.secret;
    cf.updateRequestOrigin({
        domainName: server.host,
        customOriginConfig: { port: 443, protocol: 'https', sslProtocols: ['TLSv1.2'] },
        originAccessControlConfig: { enabled: false },
        timeouts: { readTimeout: 60, connectionTimeout: 5 },
        customHeaders: secret
    });
    return request;
}

// Every value of a query parameter, header or cookie of the event.
function values(field) {
    if (!field) {
        return [];
    }
    return field.multiValue ? field.multiValue.map((v) => v.value) : [field.value];
}

// Compares SHA-256 hex digests without an early exit.
function admits(hash, token) {
    if (typeof token !== 'string' || token.length === 0 || token.length > 256) {
        return false;
    }
    let digest = crypto.createHash('sha256').update(token).digest('hex');
    let diff = digest.length ^ hash.length;
    for (let i = 0; i < hash.length; i++) {
        diff |= digest.charCodeAt(i) ^ hash.charCodeAt(i);
    }
    return diff === 0;
}

// null when the request may pass, else the answer. A query token is checked first: right -> 302
// setting the cookie; wrong -> 401 (a revoked link stays revoked even next to a valid cookie).
function guard(request, hash) {
    let qs = request.querystring || {};
    if (qs[TOKEN_QUERY]) {
        let token;
        try {
            token = decodeURIComponent(values(qs[TOKEN_QUERY])[0] || '');
        } catch (e) {
            return unauthorized();
        }
        if (!admits(hash, token)) {
            return unauthorized();
        }
        let rest = [];
        for (let name in qs) {
            if (name !== TOKEN_QUERY) {
                values(qs[name]).forEach((v) => rest.push(v === '' ? name : name + '=' + v));
            }
        }
        let cookies = {};
        cookies[TOKEN_COOKIE] = { value: token, attributes: COOKIE_ATTRIBUTES };
        return {
            statusCode: 302,
            statusDescription: STATUS[302],
            headers: {
                'location': { value: request.uri + (rest.length ? '?' + rest.join('&') : '') },
                'cache-control': { value: 'no-store' }
            },
            cookies: cookies
        };
    }
    let presented = values(request.headers[TOKEN_HEADER]).concat(values((request.cookies || {})[TOKEN_COOKIE]));
    for (let i = 0; i < presented.length; i++) {
        if (admits(hash, presented[i])) {
            return null;
        }
    }
    return unauthorized();
}

function strip(request) {
    delete request.headers[TOKEN_HEADER];
    if (request.cookies) {
        delete request.cookies[TOKEN_COOKIE];
    }
    if (request.querystring) {
        delete request.querystring[TOKEN_QUERY];
    }
}

function isApp(s) {
    return APP.test(s) && s.indexOf('--') < 0 && s.charAt(s.length - 1) !== '-';
}

// {appId, label, releaseId}, or null when the host is malformed.
function parseHost(host) {
    let first = (host || '').toLowerCase().split(':')[0].split('.')[0];
    let at = first.indexOf('--');
    if (at < 0) {
        return isApp(first) ? { appId: first, key: first, releaseId: null } : null;
    }
    let label = first.substring(0, at);
    let appId = first.substring(at + 2);
    if (!isApp(appId)) {
        return null;
    }
    if (RELEASE.test(label)) {
        return { appId: appId, key: first, releaseId: label };
    }
    if (PREVIEW.test(label) && label.indexOf('--') < 0) {
        return { appId: appId, key: first, releaseId: null };
    }
    return null;
}

// The path inside the release, or null when it could climb out of it.
function releasePath(uri) {
    let decoded;
    try {
        decoded = decodeURIComponent(uri);
    } catch (e) {
        return null;
    }
    if (decoded.charAt(0) !== '/' || decoded.indexOf('\\') >= 0 || decoded.indexOf('\u0000') >= 0) {
        return null;
    }
    let segments = decoded.split('/');
    for (let i = 0; i < segments.length; i++) {
        if (segments[i] === '..' || segments[i] === '.') {
            return null;
        }
    }
    let last = segments[segments.length - 1];
    return last.indexOf('.') < 0 ? '/index.html' : uri;
}

async function lookup(key) {
    try {
        return parseEntry(await kvs.get(key));
    } catch (e) {
        return null;
    }
}

async function handler(event) {
    let request = event.request;
    let host = request.headers.host ? request.headers.host.value : '';
    let target = parseHost(host);
    if (target === null) {
        return reply(400, 'Malformed host');
    }
    let path = releasePath(request.uri);
    if (path === null) {
        return reply(400, 'Malformed path');
    }
    // Never from the viewer: the edge sets them (the cache key holds the route).
    delete request.headers[ORIGIN_HEADER];
    delete request.headers[ROUTE_HEADER];
    let releaseId = target.releaseId;
    let server = null;
    if (releaseId !== null) {
        // A release host has an entry only for a server; without one it is the release's files.
        let entry = await lookup(target.key);
        if (entry !== null && entry.releaseId === releaseId && entry.server !== null) {
            server = entry.server;
        }
    } else {
        let entry = await lookup(target.key);
        if (entry === null) {
            return reply(404, 'No such site');
        }
        if (entry.hash !== null) {
            let denied = guard(request, entry.hash);
            if (denied !== null) {
                return denied;
            }
        }
        releaseId = entry.releaseId;
        server = entry.server;
    }
    strip(request);
    request.headers[ROUTE_HEADER] = { value: target.key + '/' + releaseId };
    if (server !== null && !servesStatic(server, request.uri)) {
        return toServer(request, server, host.toLowerCase().split(':')[0]);
    }
    // Files need no query: S3 must not read one (versionId, acl) and the cache key stays the file.
    request.querystring = {};
    request.uri = '/sites/' + target.appId + '/' + releaseId + path;
    return request;
}
