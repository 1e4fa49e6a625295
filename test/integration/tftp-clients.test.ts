/**
 * Real TFTP clients against the server, byte for byte: curl's tftp://, tftp-hpa, atftp and the
 * `tftp` npm package's client, for files of 0, 511, 512, 513, 1468 and 100,000 bytes, with and
 * without blksize, tsize and windowsize.
 */
import { join } from 'node:path';
import t from 'tap';
import { digest, fetchWith, fixtures, npmGet, onPath, SIZES, startTftp, tempDir } from '../helpers/tftp.js';
import { readFile } from 'node:fs/promises';

const files = fixtures();
const server = await startTftp(t, files);
const dir = await tempDir(t);
const host = '127.0.0.1';
const port = String(server.port);
let n = 0;
const out = (): string => join(dir, `out-${n++}`);

interface Variant {
  name: string;
  args(file: string, to: string): string[];
}

const clients: Array<{ bin: string; pkg: string; variants: Variant[] }> = [
  {
    bin: 'curl',
    pkg: 'curl',
    variants: [
      // curl sends tsize by default; --tftp-no-options sends a plain RFC 1350 request.
      { name: 'tsize', args: (f, o) => ['-sS', '-o', o, `tftp://${host}:${port}/${f}`] },
      { name: 'no options', args: (f, o) => ['-sS', '--tftp-no-options', '-o', o, `tftp://${host}:${port}/${f}`] },
      { name: 'blksize 1468 + tsize', args: (f, o) => ['-sS', '--tftp-blksize', '1468', '-o', o, `tftp://${host}:${port}/${f}`] },
    ],
  },
  {
    bin: 'tftp',
    pkg: 'tftp-hpa',
    // tftp-hpa's client sends no options.
    variants: [{ name: 'octet', args: (f, o) => [host, port, '-m', 'binary', '-c', 'get', f, o] }],
  },
  {
    bin: 'atftp',
    pkg: 'atftp',
    variants: [
      { name: 'no options', args: (f, o) => ['--get', '-r', f, '-l', o, host, port] },
      { name: 'blksize 1468 + tsize', args: (f, o) => ['--get', '-r', f, '-l', o, '--option', 'blksize 1468', '--option', 'tsize 0', host, port] },
      { name: 'blksize 8', args: (f, o) => ['--get', '-r', f, '-l', o, '--option', 'blksize 8', host, port] },
      { name: 'windowsize 4 + tsize', args: (f, o) => ['--get', '-r', f, '-l', o, '--option', 'windowsize 4', '--option', 'tsize 0', host, port] },
    ],
  },
];

for (const { bin, pkg, variants } of clients) {
  const skip = onPath(bin) ? false : `${bin} not installed (Debian package ${pkg})`;
  t.test(`${pkg} (${bin})`, { skip }, async (t) => {
    for (const v of variants) {
      for (const size of SIZES) {
        const file = `f${size}.bin`;
        const to = out();
        const { ran, body } = await fetchWith(bin, v.args(file, to), to);
        t.equal(ran.code, 0, `${v.name}, ${size} bytes: exit 0 ${ran.stderr}`);
        t.equal(body && digest(body), digest(files.get(file) as Buffer), `${v.name}, ${size} bytes: byte-exact`);
        t.equal(body?.length, size);
      }
    }
  });
}

t.test('tftp npm package client (RFC 7440 windowsize)', async (t) => {
  const variants: Array<[string, { blockSize?: number; windowSize?: number }]> = [
    ['defaults: blksize 1468, windowsize 4, tsize', {}],
    ['blksize 512, windowsize 1', { blockSize: 512, windowSize: 1 }],
    ['blksize 512, windowsize 16', { blockSize: 512, windowSize: 16 }],
    ['blksize 8, windowsize 64', { blockSize: 8, windowSize: 64 }],
  ];
  for (const [name, opts] of variants) {
    for (const size of SIZES) {
      const file = `f${size}.bin`;
      const to = out();
      const err = await npmGet(server.port, file, to, opts);
      t.error(err, `${name}, ${size} bytes: no error`);
      const body = await readFile(to).catch(() => undefined);
      t.equal(body && digest(body), digest(files.get(file) as Buffer), `${name}, ${size} bytes: byte-exact`);
    }
  }
});

t.test('a miss is error 1 "File not found" for every client', async (t) => {
  const to = out();
  const err = await npmGet(server.port, 'nope.cfg', to);
  t.match(err?.message, /File not found/);
  // Each client is checked where installed (the matrix above reports the missing ones).
  if (onPath('curl')) {
    const { ran } = await fetchWith('curl', ['-sS', '-o', to, `tftp://${host}:${port}/nope.cfg`], to);
    t.equal(ran.code, 68, 'curl: CURLE_TFTP_NOTFOUND');
  }
  if (onPath('tftp')) {
    const { ran } = await fetchWith('tftp', [host, port, '-m', 'binary', '-c', 'get', 'nope.cfg', to], to);
    t.match(ran.stdout + ran.stderr, /Error code 1: File not found/, 'tftp-hpa');
  }
  if (onPath('atftp')) {
    const { ran } = await fetchWith('atftp', ['--get', '-r', 'nope.cfg', '-l', to, host, port], to);
    t.match(ran.stdout + ran.stderr, /File not found/, 'atftp');
    t.not(ran.code, 0);
  }
});

const noHpa = onPath('tftp') ? false : 'tftp not installed (Debian package tftp-hpa)';
t.test('netascii is converted (LF → CR LF, CR → CR NUL) and tftp-hpa converts it back byte for byte', { skip: noHpa }, async (t) => {
  const text = Buffer.from('line one\nline two\r\nbare\rcr\n\n');
  files.set('text.cfg', text);
  const to = out();
  const { ran, body } = await fetchWith('tftp', [host, port, '-m', 'ascii', '-c', 'get', 'text.cfg', to], to);
  t.equal(ran.code, 0);
  t.same(body, text);
});
