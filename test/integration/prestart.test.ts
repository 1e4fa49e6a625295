/**
 * `npm start` builds only what changed: its prestart (`npm run build`, an incremental `tsc -b`)
 * leaves dist/ alone when src/ has not changed, and rebuilds when it has. Runs in a copy of the
 * repository's sources, so the dist/ other tests use is never touched.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

t.test('a second prestart does not rewrite dist; a changed source is rebuilt', async (t) => {
  const dir = t.testdir();
  for (const name of ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(ROOT, name), join(dir, name), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const prestart = () => run('npm', ['run', '--silent', 'prestart'], { cwd: dir });
  const mtime = async (file: string) => (await stat(join(dir, 'dist', file))).mtimeMs;

  await prestart();
  const main = await mtime('main.js');
  const errors = await mtime('errors.js');
  t.ok(main > 0, 'a fresh copy is built (as `npm install && npm start` on a clone is)');

  await prestart();
  t.equal(await mtime('main.js'), main, 'nothing changed: main.js not rewritten');
  t.equal(await mtime('errors.js'), errors, 'nor errors.js');

  const source = join(dir, 'src', 'errors.ts');
  await writeFile(source, `${await readFile(source, 'utf8')}\nexport const PRESTART_PROBE = 1;\n`);
  await prestart();
  t.not(await mtime('errors.js'), errors, 'a changed source is rebuilt');
  t.match(await readFile(join(dir, 'dist', 'errors.js'), 'utf8'), /PRESTART_PROBE/);
});
