import cf from 'cloudfront';

// Slipway edge router: CloudFront Function, runtime cloudfront-js-2.0, viewer-request.
// Host {appId}.{domain} and {label}--{appId}.{domain} -> /sites/{appId}/{releaseId}{path}.
// Only the first label of Host matters: the distribution's aliases (*.{domain}) decide which
// domains reach this function. The same rules are served locally by dev.slipway.local.edge.LocalEdge.
// This file is inlined in the template (FunctionCode); a test keeps the two identical.

const kvs = cf.kvs();
const APP = /^[a-z][a-z0-9-]{1,39}$/;
const RELEASE = /^[0-9a-hjkmnp-tv-z]{26}$/;
const PREVIEW = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

function reply(status, text) {
    return {
        statusCode: status,
        statusDescription: status === 404 ? 'Not Found' : 'Bad Request',
        headers: {
            'content-type': { value: 'text/plain; charset=utf-8' },
            'cache-control': { value: 'no-store' }
        },
        body: { encoding: 'text', data: text + '\n' }
    };
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
        return { appId: appId, key: null, releaseId: label };
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
    let releaseId = target.releaseId;
    if (releaseId === null) {
        try {
            releaseId = await kvs.get(target.key);
        } catch (e) {
            return reply(404, 'No such site');
        }
        if (!RELEASE.test(releaseId || '')) {
            return reply(404, 'No such site');
        }
    }
    request.uri = '/sites/' + target.appId + '/' + releaseId + path;
    return request;
}
