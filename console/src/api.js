// The API from the page: same origin, the session cookie (HttpOnly, never seen here), the session's CSRF value
// kept in memory only (GET /session hands it again after a reload), an Idempotency-Key on every change.
let csrf = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function setCsrf(value) { csrf = value; }

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function headersFor(method, extra) {
  const h = { accept: 'application/json', ...extra };
  if (MUTATING.has(method)) {
    if (csrf) h['x-slipway-csrf'] = csrf;
    h['idempotency-key'] = crypto.randomUUID();
  }
  return h;
}

async function answer(res) {
  const type = res.headers.get('content-type') || '';
  if (!res.ok) {
    let problem = null;
    if (type.includes('json')) { try { problem = await res.json(); } catch { problem = null; } }
    throw new ApiError(res.status, problem);
  }
  if (type.includes('json')) return res.json();
  return res.text();
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: headersFor(method, {}) };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return answer(await fetch(path, init));
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

/** A file body with upload progress (fetch has none): XHR, same cookie and headers. */
export function upload(method, url, blob, headers, onProgress, sameOrigin = true) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    const all = sameOrigin ? headersFor(method, headers) : headers;
    // The browser sets Content-Length itself (the presigned URL's signature covers the same value).
    for (const [k, v] of Object.entries(all)) if (k.toLowerCase() !== 'content-length') xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'The upload failed: the connection broke' }));
    xhr.onload = () => {
      const type = xhr.getResponseHeader('content-type') || '';
      let parsed = null;
      if (type.includes('json') && xhr.responseText) { try { parsed = JSON.parse(xhr.responseText); } catch { parsed = null; } }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed); else reject(new ApiError(xhr.status, parsed));
    };
    xhr.send(blob);
  });
}
