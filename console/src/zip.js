// A dropped or chosen folder becomes a zip in the browser (fflate), skipping what .gitignore says roughly:
// node_modules, .git and the folder's own .gitignore patterns (names, globs with * and ?, dir/ forms).
import { zipSync } from 'fflate';

const ALWAYS = ['node_modules/', '.git/', '.DS_Store'];

function toRegex(glob) {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return re;
}

/** A predicate over relative paths from .gitignore text: true = leave the file out. */
export function ignoreRules(text) {
  const rules = [];
  for (const raw of [...ALWAYS, ...String(text || '').split(/\r?\n/)]) {
    let line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const dir = line.endsWith('/');
    if (dir) line = line.slice(0, -1);
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = toRegex(line.replace(/^\*\*\//, ''));
    const prefix = anchored && !raw.trim().startsWith('**/') ? '^' : '(^|/)';
    rules.push(new RegExp(prefix + body + (dir ? '/' : '(/|$)')));
  }
  return (path) => rules.some((r) => r.test(path));
}

/** Files as [{path, file}] with paths relative to the folder; .gitignore at its top applies. */
export async function zipFolder(files) {
  const top = files.find((f) => f.path === '.gitignore');
  const ignored = ignoreRules(top ? await top.file.text() : '');
  const tree = {};
  let count = 0;
  for (const { path, file } of files) {
    if (ignored(path)) continue;
    tree[path] = new Uint8Array(await file.arrayBuffer());
    count++;
  }
  if (count === 0) throw new Error('The folder has no files to import (after .gitignore)');
  return new Blob([zipSync(tree, { level: 6 })], { type: 'application/zip' });
}

/** Files of a chosen folder (<input webkitdirectory>): drop the folder's own name from each path. */
export function fromDirectoryInput(fileList) {
  return [...fileList].map((file) => ({ path: file.webkitRelativePath.split('/').slice(1).join('/'), file }));
}

/** Files of a dropped folder (DataTransfer entries), paths relative to it. */
export async function fromDroppedEntry(entry) {
  const out = [];
  async function walk(e, prefix) {
    if (e.isFile) {
      const file = await new Promise((res, rej) => e.file(res, rej));
      out.push({ path: prefix + e.name, file });
    } else if (e.isDirectory) {
      const reader = e.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, prefix + e.name + '/');
      }
    }
  }
  if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, '');
    }
  } else {
    await walk(entry, '');
  }
  return out;
}
