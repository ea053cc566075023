// Slipway's Lambda adapter: runs a release's server (`node <entry>`, the bundle's root as its folder)
// inside the app's Lambda function and answers the function URL's requests through it, streaming.
// Added to every server bundle by dev.slipway.shared.deploy.server.lambda.FunctionZip; the handler
// is `slipway-lambda-adapter.handler`. One server per execution environment, started on the first
// request with the runtime variables of the scope the alias names (production-…, preview-…, or pv-<preview>-…),
// read from SSM under SLIPWAY_ENV_PREFIX; a server that exits is started again by the next request.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';

const ORIGIN_HEADER = 'x-slipway-origin';
const PORT = 8080;
const START_TIMEOUT_MS = 20000;
// Hop-by-hop headers (RFC 9110) and the ones the function URL sets itself are not passed on.
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function problem(stream, status, title, detail) {
    const out = awslambda.HttpResponseStream.from(stream, {
        statusCode: status,
        headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' }
    });
    out.end(JSON.stringify({ type: 'about:blank', title: title, status: status, detail: detail }));
}

function sameSecret(expected, given) {
    const a = Buffer.from(expected || '');
    const b = Buffer.from(given || '');
    return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

// production-<release> → production; preview-<release> → preview (the alias is the scope);
// pv-<preview>-<release> → preview, and that preview's own values over the scope's.
export function scopeOf(invokedFunctionArn) {
    const alias = String(invokedFunctionArn || '').split(':')[7] || '';
    const scope = alias.split('-')[0];
    if (scope === 'pv') {
        const preview = alias.substring(3, alias.length - 27);
        return /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(preview) && alias.charAt(alias.length - 27) === '-' ? 'preview/' + preview : null;
    }
    return scope === 'production' || scope === 'preview' ? scope : null;
}

// Variables of <prefix> (set for every scope) overlaid by <prefix>/<scope>, as deployments get them; for
// 'preview/<name>' then <prefix>/previews/<name> (the preview's own database URL) over those.
async function ssmVariables(prefix, scope) {
    const { SSMClient, GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
    const ssm = new SSMClient({});
    const out = {};
    const paths = scope.startsWith('preview/')
        ? [prefix, prefix + '/preview', prefix + '/previews/' + scope.substring('preview/'.length)]
        : [prefix, prefix + '/' + scope];
    for (const path of paths) {
        let token;
        do {
            const page = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: false, WithDecryption: true, NextToken: token }));
            for (const p of page.Parameters || []) {
                out[p.Name.substring(p.Name.lastIndexOf('/') + 1)] = p.Value;
            }
            token = page.NextToken;
        } while (token);
    }
    return out;
}

function waitForPort(port, child, deadline) {
    return new Promise((resolve, reject) => {
        const attempt = () => {
            if (child.exitCode !== null || child.signalCode !== null) {
                reject(new Error('the server exited with ' + (child.exitCode !== null ? 'code ' + child.exitCode : child.signalCode)
                    + ' before it listened on PORT ' + port));
                return;
            }
            const socket = net.connect(port, '127.0.0.1');
            socket.once('connect', () => {
                socket.destroy();
                resolve();
            });
            socket.once('error', () => {
                socket.destroy();
                if (Date.now() > deadline) {
                    reject(new Error('the server did not listen on PORT ' + port + ' within ' + START_TIMEOUT_MS + ' ms'));
                } else {
                    setTimeout(attempt, 25);
                }
            });
        };
        attempt();
    });
}

/**
 * The handler, with its environment passed in (tests run it with node and a local bundle):
 * root = the bundle's folder, secret = the origin secret, loadVariables(scope) → the scope's variables.
 */
export function createHandler({ root, secret, loadVariables, port = PORT }) {
    const config = JSON.parse(readFileSync(join(root, 'slipway-server.json'), 'utf8'));
    let server = null; // { child, ready: Promise }

    function start(scope) {
        return loadVariables(scope).then((variables) => {
            const env = { ...variables, PORT: String(port), HOSTNAME: '127.0.0.1', HOST: '127.0.0.1', NODE_ENV: 'production',
                PATH: process.env.PATH, LANG: process.env.LANG || 'C.UTF-8', TZ: process.env.TZ || 'UTC', HOME: '/tmp' };
            const child = spawn(process.execPath, [config.entry], { cwd: root, env: env, stdio: ['ignore', 'inherit', 'inherit'] });
            child.once('exit', () => {
                if (server && server.child === child) {
                    server = null;
                }
            });
            return waitForPort(port, child, Date.now() + START_TIMEOUT_MS).then(() => child);
        });
    }

    // Aliases of one version share its execution environments: a server started for one scope (or preview) never
    // answers another's request; it is stopped, and gone, before the other's starts on the same port.
    let stopping = Promise.resolve();

    function ensure(scope) {
        if (server !== null && server.scope !== scope) {
            const old = server;
            server = null;
            stopping = old.ready.then((child) => new Promise((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) {
                    resolve();
                    return;
                }
                child.once('exit', resolve);
                child.kill('SIGKILL');
            }), () => undefined);
        }
        if (server === null) {
            const s = { child: null, ready: null, scope: scope };
            s.ready = stopping.then(() => start(scope)).then((child) => {
                s.child = child;
                return child;
            });
            s.ready.catch(() => {
                if (server === s) {
                    server = null;
                }
            });
            server = s;
        }
        return server.ready;
    }

    const handler = async (event, responseStream, context) => {
        const headers = event.headers || {};
        if (!sameSecret(secret, headers[ORIGIN_HEADER])) {
            problem(responseStream, 403, 'Forbidden', 'This function answers its edge only');
            return;
        }
        const scope = scopeOf(context && context.invokedFunctionArn) || 'production';
        try {
            await ensure(scope);
        } catch (e) {
            console.error('slipway: ' + e.message);
            problem(responseStream, 502, 'The app server did not start', e.message);
            return;
        }
        const forwarded = {};
        for (const name in headers) {
            if (!DROPPED.has(name) && name !== ORIGIN_HEADER && name !== 'host') {
                forwarded[name] = headers[name];
            }
        }
        forwarded['host'] = headers['x-forwarded-host'] || headers['host'] || 'localhost';
        forwarded['x-forwarded-proto'] = 'https';
        if (event.cookies && event.cookies.length) {
            forwarded['cookie'] = event.cookies.join('; ');
        }
        const method = (event.requestContext && event.requestContext.http && event.requestContext.http.method) || 'GET';
        const path = (event.rawPath || '/') + (event.rawQueryString ? '?' + event.rawQueryString : '');
        const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : null;
        if (body) {
            forwarded['content-length'] = String(body.length);
        }
        await new Promise((resolve) => {
            const request = http.request({ host: '127.0.0.1', port: port, method: method, path: path, headers: forwarded }, (response) => {
                const out = {};
                let cookies = [];
                for (const name in response.headers) {
                    const value = response.headers[name];
                    if (name === 'set-cookie') {
                        cookies = Array.isArray(value) ? value : [value];
                    } else if (!DROPPED.has(name)) {
                        out[name] = Array.isArray(value) ? value.join(', ') : value;
                    }
                }
                const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: response.statusCode, headers: out, cookies: cookies });
                response.pipe(stream);
                response.on('end', resolve);
                response.on('error', () => {
                    stream.end();
                    resolve();
                });
            });
            request.on('error', (e) => {
                problem(responseStream, 502, 'The app server failed', e.message);
                resolve();
            });
            request.end(body || undefined);
        });
    };
    // Stops the server (tests; Lambda freezes and ends the environment itself).
    handler.stop = () => {
        if (server !== null && server.child !== null) {
            server.child.kill('SIGKILL');
        }
        server = null;
    };
    return handler;
}

// In Lambda (LAMBDA_TASK_ROOT set, the global awslambda there) the bundle is the task root.
export const handler = !process.env.LAMBDA_TASK_ROOT ? undefined : awslambda.streamifyResponse(createHandler({
    root: process.env.LAMBDA_TASK_ROOT,
    secret: process.env.SLIPWAY_ORIGIN_SECRET,
    loadVariables: (scope) => process.env.SLIPWAY_ENV_PREFIX ? ssmVariables(process.env.SLIPWAY_ENV_PREFIX, scope) : Promise.resolve({})
}));
