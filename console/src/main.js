import { h, render } from 'preact';
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import htm from 'htm';
import { api, get, post, setCsrf, upload, ApiError } from './api.js';
import { zipFolder, fromDirectoryInput, fromDroppedEntry } from './zip.js';

const html = htm.bind(h);
const INLINE_IMPORT_BYTES = 4 * 1024 * 1024;
const enc = encodeURIComponent;

// ---- small helpers ---------------------------------------------------------------------------------
function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(1).split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
}

/** Loads once per key; reload() fetches again. */
function useLoad(fn, key) {
  const [state, setState] = useState({ loading: true });
  const reload = useCallback(() => {
    fn().then((data) => setState({ data }), (error) => setState({ error }));
  }, [key]);
  useEffect(() => { setState({ loading: true }); reload(); }, [key]);
  return [state, reload];
}

/** Loads again every {@code ms} while {@code busy(data)} holds (a preview deploying, a backup running). */
function useRefreshWhile(state, reload, ms, busy) {
  const again = Boolean(state.data && busy(state.data));
  useEffect(() => {
    if (!again) return undefined;
    const t = setTimeout(reload, ms);
    return () => clearTimeout(t);
  }, [state]);
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const Err = ({ error }) => error ? html`<p class="error" role="alert">${error.message}</p>` : null;
const Note = ({ text }) => text ? html`<p class="notice" role="status">${text}</p>` : null;

function Loaded({ state, children }) {
  if (state.loading) return html`<p class="muted" role="status">Loading…</p>`;
  if (state.error) return html`<${Err} error=${state.error} />`;
  return children(state.data);
}

/** A button that runs an async action, shows its error, and is disabled while it runs. */
function Action({ label, run, cls, confirmText, busyLabel }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    if (confirmText && !confirm(confirmText)) return;
    setBusy(true); setError(null);
    try { await run(); } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return html`<span><button type="button" class=${cls || ''} disabled=${busy} onClick=${click}>${busy ? (busyLabel || label + '…') : label}</button>
    ${error && html` <span class="bad" role="alert">${error.message}</span>`}</span>`;
}

function Heading({ children }) {
  const ref = useRef();
  useEffect(() => { ref.current && ref.current.focus(); }, []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

// ---- sign-in ---------------------------------------------------------------------------------------
function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const s = await post('/session', { token: token.trim() });
      setToken('');
      setCsrf(s.csrfToken);
      onSignedIn(s);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return html`<main id="main"><${Heading}>Sign in to Slipway</${Heading}>
    <form onSubmit=${submit} class="panel" aria-describedby="signin-help">
      <label for="token">Token</label>
      <input id="token" name="token" type="password" autocomplete="off" required value=${token}
             onInput=${(e) => setToken(e.target.value)} />
      <p id="signin-help" class="muted">The admin token (<code>slipway up</code> prints it) or a scoped token <code>slwt_…</code>.
        It is exchanged for a session cookie and not kept in this browser.</p>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
    <${Err} error=${error} /></main>`;
}

// ---- apps ------------------------------------------------------------------------------------------
function AppsPage({ session }) {
  const [state, reload] = useLoad(async () => {
    const list = await get('/apps?limit=100');
    return Promise.all(list.apps.map((a) => get(`/apps/${enc(a.id)}`)));
  }, 'apps');
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault(); setError(null);
    try { const app = await post('/apps', { name }); setName(''); location.hash = `#/apps/${enc(app.id)}`; } catch (err) { setError(err); }
  };
  return html`<${Heading}>Apps</${Heading}>
    <${Loaded} state=${state}>${(apps) => apps.length === 0 ? html`<p>No apps yet.</p>` : html`
      <ul class="cards" aria-label="Apps">${apps.map((a) => html`<li>
        <h2 style="margin-top:0"><a href=${`#/apps/${enc(a.id)}`}>${a.name}</a></h2>
        <p class="muted"><code>${a.id}</code></p>
        ${a.production ? html`<p>Production: <code>${a.production.releaseId}</code>${a.production.pinned ? html` <span class="warn">(pinned)</span>` : ''}<br/>
            <span class="muted">since ${when(a.production.since)}</span>${a.production.url ? html`<br/><a href=${a.production.url} rel="noopener" target="_blank">${a.production.url}</a>` : ''}</p>`
          : html`<p class="muted">Not deployed yet</p>`}
      </li>`)}</ul>`}</${Loaded}>
    ${session.role === 'admin' && html`<h2>New app</h2>
      <form class="inline" onSubmit=${create}>
        <div><label for="app-name">Name</label><input id="app-name" required value=${name} onInput=${(e) => setName(e.target.value)} /></div>
        <button class="primary" type="submit">Create app</button>
      </form><${Err} error=${error} />`}`;
}

const TABS = [['overview', 'Overview'], ['import', 'Import'], ['deployments', 'Deployments'], ['releases', 'Releases'],
  ['previews', 'Previews'], ['environment', 'Environment'], ['database', 'Database'], ['audit', 'Audit']];

function AppPage({ appId, tab, sub }) {
  const [state, reload] = useLoad(() => get(`/apps/${enc(appId)}`), appId);
  const current = tab || 'overview';
  return html`<${Loaded} state=${state}>${(app) => html`
    <${Heading}>${app.name}</${Heading}>
    <nav class="tabs" aria-label="App sections">${TABS.map(([id, label]) => html`
      <a href=${`#/apps/${enc(appId)}/${id}`} aria-current=${current === id ? 'page' : null}>${label}</a>`)}</nav>
    ${current === 'overview' && html`<${Overview} app=${app} reload=${reload} />`}
    ${current === 'import' && html`<${ImportPanel} app=${app} />`}
    ${current === 'deployments' && (sub ? html`<${DeploymentDetail} appId=${appId} id=${sub} />` : html`<${Deployments} app=${app} />`)}
    ${current === 'releases' && html`<${Releases} app=${app} reloadApp=${reload} />`}
    ${current === 'previews' && html`<${Previews} app=${app} />`}
    ${current === 'environment' && html`<${Environment} app=${app} />`}
    ${current === 'database' && html`<${Database} app=${app} />`}
    ${current === 'audit' && html`<${Audit} app=${app} />`}`}</${Loaded}>`;
}

function Overview({ app, reload }) {
  const p = app.production;
  const gitUrl = `${location.origin}/git/${app.id}.git`;
  return html`<section aria-labelledby="prod-h"><h2 id="prod-h">Production</h2>
    ${p ? html`<dl class="facts">
        <dt>Release</dt><dd><code>${p.releaseId}</code></dd>
        <dt>Since</dt><dd>${when(p.since)}</dd>
        <dt>Pinned</dt><dd>${p.pinned ? 'yes: deployments build and stage but do not promote' : 'no'}</dd>
        ${p.url && html`<dt>Site</dt><dd><a href=${p.url} target="_blank" rel="noopener" id="site-link">${p.url}</a></dd>`}
      </dl>
      <p class="row">${p.pinned
        ? html`<${Action} label="Unpin" run=${async () => { await post(`/apps/${enc(app.id)}/unpin`); reload(); }} />`
        : html`<${Action} label="Pin" run=${async () => { await post(`/apps/${enc(app.id)}/pin`); reload(); }} />`}</p>`
      : html`<p>Not deployed yet: <a href=${`#/apps/${enc(app.id)}/import`}>import an export</a>, then deploy.</p>`}
    </section>
    <section aria-labelledby="git-h"><h2 id="git-h">Git</h2>
      <p>Clone the app's history with a token as the password (<a href="https://git-scm.com/docs/gitcredentials">any user name</a>):</p>
      <pre class="panel"><code id="git-url">git clone ${gitUrl}</code></pre></section>
    <section><h2>Deploy</h2><${DeployButton} app=${app} /></section>`;
}

function DeployButton({ app }) {
  return html`<${Action} cls="primary" label="Deploy main to production" busyLabel="Starting…" run=${async () => {
    const d = await post(`/apps/${enc(app.id)}/deployments`, {});
    location.hash = `#/apps/${enc(app.id)}/deployments/${enc(d.deploymentId)}`;
  }} />`;
}

// ---- import ----------------------------------------------------------------------------------------
function ImportPanel({ app }) {
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState(null);
  const [phase, setPhase] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);

  async function send(blob, name) {
    setError(null); setResult(null); setProgress(0);
    try {
      let done;
      if (blob.size <= INLINE_IMPORT_BYTES) {
        setPhase(`Uploading ${name}`);
        done = await upload('POST', `/apps/${enc(app.id)}/imports`, blob,
          { 'content-type': 'application/zip', 'x-slipway-filename': name }, setProgress);
      } else {
        setPhase(`Uploading ${name} (large: presigned upload)`);
        const u = await post(`/apps/${enc(app.id)}/uploads`, { size: blob.size, name });
        await upload(u.method || 'PUT', u.url, blob, u.headers || {}, setProgress, false);
        setPhase('Importing');
        done = await post(`/apps/${enc(app.id)}/imports`, { uploadId: u.uploadId });
      }
      setProgress(1); setPhase(''); setResult(done);
    } catch (e) { setError(e); setProgress(null); setPhase(''); }
  }
  async function files(list) {
    if (list.length === 1 && /\.zip$/i.test(list[0].path) && !list[0].path.includes('/')) return send(list[0].file, list[0].file.name);
    setPhase('Zipping the folder');
    try { await send(await zipFolder(list), `${app.id}.zip`); } catch (e) { setError(e); setPhase(''); }
  }
  const onDrop = async (e) => {
    e.preventDefault(); setOver(false);
    const items = [...(e.dataTransfer.items || [])].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (items.length === 1 && items[0].isDirectory) return files(await fromDroppedEntry(items[0]));
    const dropped = [...e.dataTransfer.files];
    if (dropped.length) return files(dropped.map((file) => ({ path: file.name, file })));
  };
  return html`<section aria-labelledby="imp-h"><h2 id="imp-h">Import an export</h2>
    <div class=${'drop' + (over ? ' over' : '')} onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
         onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
      <p>Drop a zip or a folder here (node_modules, .git and .gitignore'd files are left out), or choose one:</p>
      <p class="row" style="justify-content:center">
        <label class="inline-label">Zip file <input id="zip-input" type="file" accept=".zip,application/zip"
          onChange=${(e) => e.target.files[0] && send(e.target.files[0], e.target.files[0].name)} /></label>
        <label class="inline-label">Folder <input id="folder-input" type="file" webkitdirectory
          onChange=${(e) => e.target.files.length && files(fromDirectoryInput(e.target.files))} /></label>
      </p>
    </div>
    ${progress !== null && html`<p><label for="upload-progress">${phase || 'Uploaded'}</label>
      <progress id="upload-progress" max="1" value=${progress}>${Math.round(progress * 100)}%</progress>
      <span class="muted"> ${Math.round(progress * 100)}%</span></p>`}
    <${Err} error=${error} />
    ${result && html`<div class="notice" role="status" id="import-result">
      <p>${result.filesAdded !== undefined ? html`Commit <code>${(result.commit || '').slice(0, 12)}</code>: ${result.filesAdded} added,
        ${result.filesChanged} changed, ${result.filesRemoved} removed` : 'Imported'}${result.framework ? html` · ${result.framework}` : ''}</p>
      ${result.findings && result.findings.length > 0 && html`<p class="warn">${result.findings.length} finding(s): secrets were taken out; see the environment.</p>`}
      <${DeployButton} app=${app} /></div>`}
  </section>`;
}

// ---- deployments -----------------------------------------------------------------------------------
function statusClass(s) { return s === 'SUCCEEDED' ? 'ok' : s === 'FAILED' ? 'bad' : 'warn'; }

function Deployments({ app }) {
  const [state] = useLoad(() => get(`/apps/${enc(app.id)}/deployments?limit=30`), app.id + 'deps');
  return html`<h2>Deployments</h2><p><${DeployButton} app=${app} /></p>
    <${Loaded} state=${state}>${(d) => d.deployments.length === 0 ? html`<p>No deployments yet.</p>` : html`
      <div class="table-wrap"><table><thead><tr><th>Started</th><th>Status</th><th class="hide-sm">Target</th><th>Release</th></tr></thead>
      <tbody>${d.deployments.map((x) => html`<tr>
        <td><a href=${`#/apps/${enc(app.id)}/deployments/${enc(x.deploymentId)}`}>${when(x.createdAt || x.startedAt)}</a></td>
        <td class=${statusClass(x.status)}>${x.status}</td><td class="hide-sm">${x.target || 'production'}</td>
        <td><code>${x.releaseId || '—'}</code></td></tr>`)}</tbody></table></div>`}</${Loaded}>`;
}

function DeploymentDetail({ appId, id }) {
  const [d, setD] = useState(null);
  const [log, setLog] = useState('');
  const [error, setError] = useState(null);
  const logRef = useRef();
  useEffect(() => {
    let stop = false;
    let timer;
    async function tick() {
      try {
        const dep = await get(`/apps/${enc(appId)}/deployments/${enc(id)}`);
        if (stop) return;
        setD(dep);
        // The build ships its log every second or so while it runs: follow it from a few seconds into the Build step
        // (before its first shipment the route answers 404, which the browser would log), and once more at the end.
        const build = (dep.steps || []).find((s) => s.name === 'Build');
        if (build && (build.endedAt || (build.startedAt && Date.now() - Date.parse(build.startedAt) > 3000))) {
          try { const text = await get(`/apps/${enc(appId)}/deployments/${enc(id)}/logs`); if (!stop) setLog(String(text)); } catch (e) { /* none kept */ }
        }
        if (dep.status === 'RUNNING') timer = setTimeout(tick, 1500);
      } catch (e) { if (!stop) setError(e); }
    }
    tick();
    return () => { stop = true; clearTimeout(timer); };
  }, [appId, id]);
  useEffect(() => { if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight; }, [log]);
  if (error) return html`<${Err} error=${error} />`;
  if (!d) return html`<p class="muted" role="status">Loading…</p>`;
  return html`<h2>Deployment <code>${d.deploymentId}</code></h2>
    <p>Status: <strong id="deployment-status" class=${statusClass(d.status)} role="status">${d.status}</strong>
      ${d.url && html` · <a href=${d.url} target="_blank" rel="noopener" id="deployment-url">${d.url}</a>`}</p>
    ${d.failure && html`<p class="error">${typeof d.failure === 'string' ? d.failure : JSON.stringify(d.failure)}</p>`}
    <ol aria-label="Steps">${(d.steps || []).map((s) => html`<li><strong>${s.name}</strong>
      <span class=${s.outcome === 'FAILED' ? 'bad' : s.endedAt ? 'ok' : 'warn'}> ${s.outcome || (s.endedAt ? 'done' : 'running')}</span>
      <span class="muted"> ${s.startedAt && s.endedAt ? `${((new Date(s.endedAt) - new Date(s.startedAt)) / 1000).toFixed(1)} s` : ''}</span></li>`)}</ol>
    <h2>Build log</h2><pre class="log" ref=${logRef} tabindex="0" aria-label="Build log" aria-live="off">${log || (d.status === 'RUNNING' ? '(the log appears once the build writes it)' : '(no build log)')}</pre>`;
}

// ---- releases: rollback and promote ----------------------------------------------------------------
function Releases({ app, reloadApp }) {
  const [state, reload] = useLoad(() => get(`/apps/${enc(app.id)}/releases?limit=50`), app.id + 'rel');
  const [target, setTarget] = useState(null);
  const [note, setNote] = useState('');
  const current = app.production && app.production.releaseId;
  return html`<h2>Releases</h2><${Note} text=${note} />
    <${Loaded} state=${state}>${(r) => r.releases.length === 0 ? html`<p>No releases yet.</p>` : html`
      <div class="table-wrap"><table><thead><tr><th>Release</th><th class="hide-sm">Created</th><th>Status</th><th>Action</th></tr></thead>
      <tbody>${r.releases.map((x) => html`<tr>
        <td><code>${x.id || x.releaseId}</code>${(x.id || x.releaseId) === current ? html` <strong>(production)</strong>` : ''}
          <div class="muted">${x.message || ''}</div></td>
        <td class="hide-sm">${when(x.createdAt)}</td><td>${x.status}</td>
        <td>${x.status === 'READY' && (x.id || x.releaseId) !== current && html`<div class="row">
          <button type="button" onClick=${() => setTarget({ id: x.id || x.releaseId, kind: 'rollback' })}>Roll back to this</button>
          <button type="button" onClick=${() => setTarget({ id: x.id || x.releaseId, kind: 'promote' })}>Promote</button></div>`}</td>
      </tr>`)}</tbody></table></div>`}</${Loaded}>
    ${target && html`<${ConfirmMove} app=${app} target=${target} onClose=${(msg) => {
      setTarget(null); if (msg) { setNote(msg); reload(); reloadApp(); } }} />`}`;
}

function ConfirmMove({ app, target, onClose }) {
  const ref = useRef();
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { ref.current.showModal(); }, []);
  const rollback = target.kind === 'rollback';
  const submit = async (e) => {
    e.preventDefault(); setBusy(true); setError(null);
    try {
      const r = rollback
        ? await post(`/apps/${enc(app.id)}/rollback`, { releaseId: target.id, reason: reason.trim() })
        : await post(`/apps/${enc(app.id)}/promote`, { releaseId: target.id });
      ref.current.close();
      onClose(`${rollback ? 'Rolled back' : 'Promoted'}: production now serves ${r.current}${r.pinned ? ' (pinned)' : ''} · ${r.tookMs} ms`);
    } catch (err) { setError(err); setBusy(false); }
  };
  return html`<dialog ref=${ref} aria-labelledby="confirm-h" onCancel=${() => onClose(null)}>
    <form onSubmit=${submit}>
      <h2 id="confirm-h">${rollback ? 'Roll back' : 'Promote'} production to <code>${target.id}</code>?</h2>
      <p>Visitors get this release as soon as you confirm.${rollback ? ' Production stays pinned until you unpin it.' : ''}</p>
      ${rollback && html`<label for="reason">Reason (goes into the audit trail)</label>
        <input id="reason" required maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} />`}
      <${Err} error=${error} />
      <p class="row"><button class="primary" type="submit" disabled=${busy}>${rollback ? 'Roll back' : 'Promote'}</button>
        <button type="button" onClick=${() => { ref.current.close(); onClose(null); }}>Cancel</button></p>
    </form></dialog>`;
}

// ---- previews --------------------------------------------------------------------------------------
function Previews({ app }) {
  const [state, reload] = useLoad(() => get(`/apps/${enc(app.id)}/previews?limit=100`), app.id + 'pv');
  const [ref, setRef] = useState('');
  const [shared, setShared] = useState(null);
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault(); setError(null);
    try { const r = await post(`/apps/${enc(app.id)}/previews`, { ref }); setRef(''); if (r.token) setShared({ name: r.preview.name, url: r.preview.url, token: r.token }); reload(); }
    catch (err) { setError(err); }
  };
  useRefreshWhile(state, reload, 2000, (r) => r.previews.some((p) => p.status === 'deploying'));
  const patch = (name, body) => api('PATCH', `/apps/${enc(app.id)}/previews/${enc(name)}`, body);
  const extend = async (p) => { await patch(p.name, { expiresAt: new Date(Math.max(Date.now(), Date.parse(p.expiresAt)) + 72 * 3600e3).toISOString() }); reload(); };
  const newToken = async (p) => { const r = await post(`/apps/${enc(app.id)}/previews/${enc(p.name)}/token`); setShared({ name: p.name, url: p.url, token: r.token }); reload(); };
  return html`<h2>Previews</h2>
    ${shared && html`<div class="panel" role="status"><p>Share link for <strong>${shared.name}</strong> (shown once):</p>
      <p class="secret" id="share-link">${shared.url}?slipway_token=${shared.token}</p></div>`}
    <${Loaded} state=${state}>${(r) => r.previews.length === 0 ? html`<p>No previews.</p>` : html`
      <div class="table-wrap"><table><thead><tr><th>Preview</th><th>Expires</th><th>Protected</th><th>Actions</th></tr></thead>
      <tbody>${r.previews.map((p) => html`<tr>
        <td><strong>${p.name}</strong> <span class="muted preview-status">${p.status}</span><br/>${p.url && html`<a href=${p.url} target="_blank" rel="noopener">${p.url}</a>`}</td>
        <td class="preview-expiry">${when(p.expiresAt)}${p.expired ? html` <span class="bad">expired</span>` : ''}</td>
        <td>${p.protected ? 'yes' : 'no'}</td>
        <td><div class="row"><${Action} label="Extend 3 days" run=${() => extend(p)} />
          <${Action} label=${p.protected ? 'New share link' : 'Protect'} run=${() => newToken(p)} />
          ${p.protected && html`<${Action} label="Make public" run=${async () => { await patch(p.name, { protected: false }); reload(); }} />`}
          <${Action} cls="danger" label="Delete" confirmText=${`Delete preview ${p.name}?`}
            run=${async () => { await api('DELETE', `/apps/${enc(app.id)}/previews/${enc(p.name)}`); reload(); }} /></div></td>
      </tr>`)}</tbody></table></div>`}</${Loaded}>
    <h2>New preview</h2>
    <form class="inline" onSubmit=${create}><div><label for="pv-ref">Branch or commit</label>
      <input id="pv-ref" required value=${ref} onInput=${(e) => setRef(e.target.value)} /></div>
      <button class="primary" type="submit">Deploy preview</button></form><${Err} error=${error} />`;
}

// ---- environment -----------------------------------------------------------------------------------
function Environment({ app }) {
  const [state, reload] = useLoad(() => get(`/apps/${enc(app.id)}/environment`), app.id + 'env');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [scope, setScope] = useState('both');
  const [error, setError] = useState(null);
  const set = async (e) => {
    e.preventDefault(); setError(null);
    const v = { value };
    if (scope !== 'both') v.scopes = [scope];
    try { await api('PATCH', `/apps/${enc(app.id)}/environment`, { set: { [name]: v } }); setName(''); setValue(''); reload(); } catch (err) { setError(err); }
  };
  return html`<h2>Environment variables</h2><p class="muted">Values are write-only: set or replace them here, they are never shown.</p>
    <${Loaded} state=${state}>${(r) => r.variables.length === 0 ? html`<p>No variables.</p>` : html`
      <div class="table-wrap"><table><thead><tr><th>Name</th><th>Scopes</th><th class="hide-sm">Updated</th><th></th></tr></thead>
      <tbody>${r.variables.map((v) => html`<tr><td><code>${v.name}</code></td><td>${(v.scopes || []).join(', ')}</td>
        <td class="hide-sm">${when(v.updatedAt)}</td>
        <td><${Action} cls="danger" label="Remove" confirmText=${`Remove ${v.name}?`}
          run=${async () => { await api('PATCH', `/apps/${enc(app.id)}/environment`, { remove: [v.name] }); reload(); }} /></td></tr>`)}</tbody></table></div>`}</${Loaded}>
    <h2>Set a variable</h2>
    <form onSubmit=${set}>
      <label for="env-name">Name</label><input id="env-name" required pattern="[A-Za-z_][A-Za-z0-9_]*" value=${name} onInput=${(e) => setName(e.target.value)} />
      <label for="env-value">Value</label><input id="env-value" type="password" autocomplete="off" required value=${value} onInput=${(e) => setValue(e.target.value)} />
      <label for="env-scope">Scope</label><select id="env-scope" value=${scope} onChange=${(e) => setScope(e.target.value)}>
        <option value="both">production and preview</option><option value="production">production</option><option value="preview">preview</option></select>
      <p><button class="primary" type="submit">Save</button></p></form><${Err} error=${error} />`;
}

// ---- database (issue 18): the link, backups, restores ---------------------------------------------
function Database({ app }) {
  const [state, reload] = useLoad(() => get(`/apps/${enc(app.id)}/database`).catch((e) => {
    if (e.status === 404) return null;
    throw e;
  }), app.id + 'db');
  const [url, setUrl] = useState('');
  const [kind, setKind] = useState('postgres');
  const [error, setError] = useState(null);
  const link = async (e) => {
    e.preventDefault(); setError(null);
    try { await api('PUT', `/apps/${enc(app.id)}/database`, { url, kind }); setUrl(''); reload(); } catch (err) { setError(err); }
  };
  return html`<h2>Database</h2>
    <${Loaded} state=${state}>${(db) => db ? html`<dl class="facts">
        <dt>Kind</dt><dd>${db.kind}</dd><dt>Host</dt><dd><code>${db.host}:${db.port}</code></dd>
        <dt>Database</dt><dd><code>${db.database}</code> as <code>${db.user}</code> (${db.sslmode})</dd>
        <dt>Linked</dt><dd>${when(db.linkedAt)}</dd>
        ${db.lastCheck && html`<dt>Last check</dt><dd class=${db.lastCheck.ok ? 'ok' : 'bad'}>${when(db.lastCheck.at)}:
          ${db.lastCheck.ok ? `ok, Postgres ${db.lastCheck.serverVersion || ''}` : db.lastCheck.detail}</dd>`}</dl>
      <p><${Action} cls="danger" label="Unlink" confirmText="Forget this database link? Backups stay."
        run=${async () => { await api('DELETE', `/apps/${enc(app.id)}/database`); reload(); }} /></p>`
      : html`<p>No database linked.</p>`}</${Loaded}>
    <h2>Link a database</h2>
    <form onSubmit=${link}><p class="muted">The URL is checked, kept encrypted and never shown again.</p>
      <label for="db-url">Postgres URL</label><input id="db-url" type="password" autocomplete="off" required
        placeholder="postgres://user:password@host:5432/db" value=${url} onInput=${(e) => setUrl(e.target.value)} />
      <label for="db-kind">Kind</label><select id="db-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="postgres">postgres</option><option value="supabase">supabase</option><option value="neon">neon</option></select>
      <p><button class="primary" type="submit">Link</button></p></form><${Err} error=${error} />
    ${state.data && html`<${Backups} app=${app} />`}
    ${state.data && html`<${PreviewDatabases} app=${app} />`}`;
}

// Whether each preview gets a database of its own (docs/data.md#preview-databases).
function PreviewDatabases({ app }) {
  const path = `/apps/${enc(app.id)}/database/preview-policy`;
  const [state, reload] = useLoad(() => get(path), app.id + 'preview-policy');
  const [error, setError] = useState(null);
  const choose = async (mode) => {
    setError(null);
    try { await api('PUT', path, { mode }); reload(); } catch (err) { setError(err); }
  };
  return html`<h2>Preview databases</h2>
    <${Loaded} state=${state}>${(p) => html`
      <label for="pv-mode">Each preview gets</label><select id="pv-mode" value=${p.mode} onChange=${(e) => choose(e.target.value)}>
        <option value="none">no database of its own</option><option value="migrations">its own database: migrations and seed</option>
        <option value="backup">its own database: a copy of the latest verified backup</option></select>
      ${p.databases.length > 0 && html`<div class="table-wrap"><table>
        <thead><tr><th>Preview</th><th>Database</th><th class="hide-sm">Created</th></tr></thead>
        <tbody>${p.databases.map((d) => html`<tr><td>${d.preview}</td><td><code>${d.database}</code></td>
          <td class="hide-sm">${d.createdAt ? when(d.createdAt) : d.status}</td></tr>`)}</tbody></table></div>`}`}</${Loaded}>
    <${Err} error=${error} />`;
}

function Backups({ app }) {
  const base = `/apps/${enc(app.id)}/database`;
  const [state, reload] = useLoad(() => get(`${base}/backups`), app.id + 'backups');
  const [restore, setRestore] = useState({ backupId: '', targetUrl: '', overwrite: false });
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  useRefreshWhile(state, reload, 3000, (r) => r.backups.some((b) => b.status === 'RUNNING'));
  const startRestore = async (e) => {
    e.preventDefault(); setError(null); setNote('');
    const body = { backupId: restore.backupId, targetUrl: restore.targetUrl };
    if (restore.overwrite) body.confirm = 'overwrite-linked-database';
    try { const r = await post(`${base}/restores`, body); setNote(`Restore ${r.restoreId} started`); } catch (err) { setError(err); }
  };
  const download = async (b) => { const r = await post(`${base}/backups/${enc(b.backupId)}/download`); window.open(r.url, '_blank', 'noopener'); };
  return html`<h2>Backups</h2><${Note} text=${note} />
    <p><${Action} label="Back up now" run=${async () => { await post(`${base}/backups`); reload(); }} /></p>
    <${Loaded} state=${state}>${(r) => html`
      ${r.policy && html`<p class="muted">Scheduled every ${r.policy.everyHours} h; keeping ${r.policy.keepCount} backups or ${r.policy.keepDays} days.</p>`}
      ${r.backups.length === 0 ? html`<p>No backups yet.</p>` : html`<div class="table-wrap"><table>
        <thead><tr><th>Started</th><th>Status</th><th class="hide-sm">Tables / rows</th><th class="hide-sm">Size</th><th></th></tr></thead>
        <tbody>${r.backups.map((b) => html`<tr><td>${when(b.startedAt)} <span class="muted">${b.trigger || ''}</span></td>
          <td class=${b.status === 'VERIFIED' ? 'ok' : b.status === 'FAILED' ? 'bad' : 'warn'}>${b.status}${b.failure ? html`<div class="muted">${b.failure}</div>` : ''}</td>
          <td class="hide-sm">${b.tables ?? '—'} / ${b.rows ?? '—'}</td><td class="hide-sm">${b.bytes ? `${(b.bytes / 1048576).toFixed(1)} MiB` : '—'}</td>
          <td>${b.status === 'VERIFIED' && html`<${Action} label="Download" run=${() => download(b)} />`}</td></tr>`)}</tbody></table></div>`}
      <h2>Restore</h2>
      <form onSubmit=${startRestore}>
        <label for="rs-backup">Backup</label><select id="rs-backup" required value=${restore.backupId}
          onChange=${(e) => setRestore({ ...restore, backupId: e.target.value })}><option value="">choose a verified backup</option>
          ${r.backups.filter((b) => b.status === 'VERIFIED').map((b) => html`<option value=${b.backupId}>${when(b.startedAt)}</option>`)}</select>
        <label for="rs-url">Target database URL</label><input id="rs-url" type="password" autocomplete="off" required
          value=${restore.targetUrl} onInput=${(e) => setRestore({ ...restore, targetUrl: e.target.value })} />
        <p><label style="font-weight:400"><input type="checkbox" checked=${restore.overwrite}
          onChange=${(e) => setRestore({ ...restore, overwrite: e.target.checked })} /> The target is the linked database: overwrite it</label></p>
        <p><button class="primary" type="submit">Restore</button></p></form><${Err} error=${error} />`}</${Loaded}>`;
}

// ---- audit -----------------------------------------------------------------------------------------
function Audit({ app }) {
  const [state, reload] = useLoad(async () => {
    const first = await get(`/apps/${enc(app.id)}/audit?limit=500`);
    return { events: first.events, verify: await get(`/apps/${enc(app.id)}/audit/verify`) };
  }, app.id + 'audit');
  const [exported, setExported] = useState(null);
  return html`<h2>Audit trail</h2>
    <${Loaded} state=${state}>${(r) => html`
      <p id="audit-verify" class=${r.verify.valid ? 'ok' : 'bad'} role="status">${r.verify.valid
        ? `Chain verified: ${r.verify.events} events, intact`
        : `Chain broken at event ${r.verify.brokenAtSeq}: ${r.verify.reason}`}</p>
      <p class="row"><${Action} label="Export now" run=${async () => { const x = await post(`/apps/${enc(app.id)}/audit/export`); setExported(x); }} />
        ${exported && html`<span class="ok">Exported to event ${exported.exportedSeq}</span>`}</p>
      <div class="table-wrap"><table><thead><tr><th>#</th><th>Time</th><th>Action</th><th class="hide-sm">Actor</th><th class="hide-sm">Target</th></tr></thead>
      <tbody id="audit-events">${[...r.events].reverse().map((e) => html`<tr><td>${e.seq}</td><td>${when(e.time)}</td>
        <td><code>${e.action}</code>${e.after && e.after.reason ? html`<div class="muted">${e.after.reason}</div>` : ''}</td>
        <td class="hide-sm">${typeof e.actor === 'string' ? e.actor : (e.actor && (e.actor.name || e.actor.kind))}</td>
        <td class="hide-sm"><code>${e.target}</code></td></tr>`)}</tbody></table></div>`}</${Loaded}>`;
}

// ---- tokens ----------------------------------------------------------------------------------------
function Tokens() {
  const [state, reload] = useLoad(() => get('/tokens'), 'tokens');
  const [form, setForm] = useState({ name: '', role: 'deployer', apps: '' });
  const [made, setMade] = useState(null);
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault(); setError(null);
    const apps = form.apps.trim() ? form.apps.split(/[\s,]+/).filter(Boolean) : undefined;
    try { const t = await post('/tokens', { name: form.name, role: form.role, ...(apps ? { apps } : {}) }); setMade(t); reload(); } catch (err) { setError(err); }
  };
  const field = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  return html`<${Heading}>Tokens</${Heading}>
    ${made && html`<div class="panel" role="status"><p>Token <strong>${made.name}</strong> created. Copy it now: it is shown once.</p>
      <p class="secret" id="new-token">${made.token}</p></div>`}
    <${Loaded} state=${state}>${(r) => html`<div class="table-wrap"><table><thead><tr><th>Name</th><th>Role</th><th>Apps</th><th class="hide-sm">Expires</th><th></th></tr></thead>
      <tbody>${r.tokens.map((t) => html`<tr><td>${t.name}</td><td>${t.role}</td><td>${Array.isArray(t.apps) ? t.apps.join(', ') : 'all'}</td>
        <td class="hide-sm">${when(t.expiresAt)}</td>
        <td>${t.revokedAt ? html`<span class="muted">revoked</span>` : html`<${Action} cls="danger" label="Revoke" confirmText=${`Revoke ${t.name}?`}
          run=${async () => { await api('DELETE', `/tokens/${enc(t.tokenId)}`); reload(); }} />`}</td></tr>`)}</tbody></table></div>`}</${Loaded}>
    <h2>New token</h2>
    <form onSubmit=${create}>
      <label for="tok-name">Name</label><input id="tok-name" required value=${form.name} onInput=${field('name')} />
      <label for="tok-role">Role</label><select id="tok-role" value=${form.role} onChange=${field('role')}>
        <option value="viewer">viewer</option><option value="deployer">deployer</option><option value="admin">admin</option></select>
      <label for="tok-apps">Apps (ids, comma-separated; empty = all)</label><input id="tok-apps" value=${form.apps} onInput=${field('apps')} />
      <p><button class="primary" type="submit">Create token</button></p></form><${Err} error=${error} />`;
}

// ---- shell -----------------------------------------------------------------------------------------
function App() {
  const [session, setSession] = useState(undefined);
  const route = useRoute();
  useEffect(() => {
    get('/session').then((s) => { setCsrf(s.csrfToken || null); setSession(s.signedIn ? s : null); }, () => setSession(null));
  }, []);
  if (session === undefined) return html`<p class="loading" role="status">Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${(s) => { setSession(s); location.hash = '#/'; }} />`;
  const signOut = async () => {
    try { await api('DELETE', '/session'); } catch (e) { if (!(e instanceof ApiError) || e.status !== 401) throw e; }
    setCsrf(null); setSession(null);
  };
  const who = session.principal && (session.principal.kind === 'admin' ? 'admin token' : session.principal.name || session.principal.kind);
  let page;
  if (route[0] === 'apps' && route[1]) page = html`<${AppPage} key=${route[1]} appId=${route[1]} tab=${route[2]} sub=${route[3]} />`;
  else if (route[0] === 'tokens') page = html`<${Tokens} />`;
  else page = html`<${AppsPage} session=${session} />`;
  return html`<header class="top"><a class="brand" href="#/">Slipway</a>
      <nav aria-label="Main"><a href="#/">Apps</a>${session.role === 'admin' && session.apps === '*' ? html`<a href="#/tokens">Tokens</a>` : ''}
        <span class="muted-on-dark">${who} · ${session.role}</span>
        <button type="button" class="link" onClick=${signOut} id="sign-out">Sign out</button></nav></header>
    <main id="main">${page}</main>`;
}

render(html`<${App} />`, document.getElementById('root'));
