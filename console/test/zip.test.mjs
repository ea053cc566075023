// The folder import's ignore rules against what git itself does (run by local's ConsoleFolderRulesTest: node --test console/test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ignoreRules } from '../src/zip.js';

const TREE = {
  '.gitignore': 'dist/\n*.log\n!keep.log\n/secret.env\nbuild\n',
  '.git/info/exclude': 'local-notes.md\n',
  'local-notes.md': 'x',
  'keep.log': 'x',
  'debug.log': 'x',
  'secret.env': 'x',
  'src/secret.env': 'x',            // anchored pattern: only the top one is ignored
  'src/app.ts': 'x',
  'src/.gitignore': 'generated/\n!debug.log\n*.tmp\n',
  'src/debug.log': 'x',            // re-included by the deeper file
  'src/generated/a.ts': 'x',
  'src/cache.tmp': 'x',
  'cache.tmp': 'x',                // src's rule does not reach up
  'dist/index.html': 'x',
  'build/out.js': 'x',
  'packages/web/dist/x.js': 'x',   // dist/ matches at any depth
  'node_modules/a/index.js': 'x',
  'docs/readme.md': 'x',
  'docs/.gitignore': '*\n!readme.md\n!.gitignore\n',
  'docs/draft.md': 'x',
};

const files = Object.entries(TREE).map(([path, text]) => ({ path, file: { text: async () => text } }));

test('the folder import leaves out exactly what git status would', async () => {
  const ignored = await ignoreRules(files);
  const ours = Object.keys(TREE).filter((p) => !p.startsWith('.git/') && !ignored(p)).sort();

  // the same tree in a real repository: what git would add
  const dir = mkdtempSync(join(tmpdir(), 'console-ignore-'));
  execFileSync('git', ['init', '-q', dir]);
  for (const [path, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = execFileSync('git', ['-C', dir, 'ls-files', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\n').filter((p) => p && !p.startsWith('node_modules/')).sort();
  assert.deepEqual(ours, git);
  assert.ok(ours.includes('keep.log') && ours.includes('src/debug.log') && !ours.includes('debug.log'));
});
