// A dropped or chosen folder becomes a zip in the browser (fflate), leaving out what git would: node_modules, .git,
// and what the folder's .gitignore files (at any depth, with `!` negations) and .git/info/exclude say. The patterns
// are read by the `ignore` package (git's own rules); how the files combine follows git: deeper files win, the last
// matching line wins, and nothing below an ignored directory comes back.
import { zipSync } from 'fflate';
import ignore from 'ignore';

const ALWAYS = ['node_modules/', '.git/', '.DS_Store'];

/** A predicate over relative paths of `files` ([{path, file}]): true = leave the file out. */
export async function ignoreRules(files) {
  const byDir = new Map(); // directory ('' = the top, else 'a/b/') -> its rules
  const add = (dir, text) => {
    if (!byDir.has(dir)) byDir.set(dir, ignore());
    byDir.get(dir).add(String(text));
  };
  add('', ALWAYS.join('\n'));
  for (const { path, file } of files) {
    if (path === '.git/info/exclude') add('', await file.text());
  }
  for (const { path, file } of files) {
    if (path === '.gitignore' || path.endsWith('/.gitignore')) {
      add(path.slice(0, path.length - '.gitignore'.length), await file.text());
    }
  }
  // whether one path (a directory ends with '/') is ignored by the rules of its ancestors, top first
  const decide = (sub) => {
    let ignored = false;
    for (const [dir, rules] of byDir) {
      if (!sub.startsWith(dir) || sub === dir) continue;
      const r = rules.test(sub.slice(dir.length));
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  };
  // byDir in depth order, so a deeper .gitignore is applied after (and wins over) a shallower one
  const sorted = new Map([...byDir].sort(([a], [b]) => a.split('/').length - b.split('/').length));
  byDir.clear();
  for (const [k, v] of sorted) byDir.set(k, v);
  return (path) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (decide(parts.slice(0, i).join('/') + '/')) return true; // git does not look inside an ignored directory
    }
    return decide(path);
  };
}

/** Files as [{path, file}] with paths relative to the folder. */
export async function zipFolder(files) {
  const ignored = await ignoreRules(files);
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
