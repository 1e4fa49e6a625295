/**
 * Request bodies the admin API must refuse, against the real server: compressed bodies whose
 * bytes are not what their Content-Encoding says, and unknown fields on credential
 * regeneration.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { startServer, type Running } from '../helpers/server.js';

const server = await startServer(t, t.testdir());
const siteBody = { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } };
const dataFile = (s: Running) => readFile(join(s.dir, 'data', 'dialtone.json'), 'utf8');

t.test('a compressed body that does not decompress is a 400 naming the problem', async (t) => {
  const json = Buffer.from(JSON.stringify(siteBody));
  const good: Record<string, Buffer> = { gzip: gzipSync(json), deflate: deflateSync(json), br: brotliCompressSync(json) };
  const before = await dataFile(server);
  for (const [encoding, bytes] of Object.entries(good)) {
    const garbage = Buffer.from('these bytes are not compressed at all, whatever the header says');
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    for (const [what, raw] of [['garbage', garbage], ['truncated', truncated]] as const) {
      const r = await server.api('POST', '/sites', { raw, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      t.equal(r.status, 400, `${encoding}, ${what}: ${r.text}`);
      t.match(r.headers['content-type'], /^application\/problem\+json/);
      t.match(r.json?.detail, new RegExp(`${encoding}`), `${encoding}, ${what}: the detail names the encoding (${r.json?.detail})`);
    }
  }
  t.equal(await dataFile(server), before, 'nothing stored');
  t.notOk(server.logs.some((l) => l.includes('"msg":"request failed"')), 'nothing failed inside the server');
  // The same bodies, well formed, are accepted: the refusals are about the bytes.
  for (const [encoding, bytes] of Object.entries(good)) {
    const r = await server.api('POST', '/sites', { raw: bytes, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
    t.equal(r.status, 201, `${encoding}, well formed: ${r.text}`);
  }
});

t.test('POST /devices/{mac}/credentials refuses unknown fields, naming each, and rotates nothing', async (t) => {
  const created = await server.api('POST', '/devices', { body: { mac: '001565000003', model: 'generic' } });
  t.equal(created.status, 201, created.text);
  const path = '/devices/001565000003/credentials';
  const before = (await server.api('GET', path)).json;
  const r = await server.api('POST', path, { body: { rotate: 'sip-only', password: 'chosen-by-me' } });
  t.equal(r.status, 400, r.text);
  const paths = (r.json?.errors ?? []).map((e: { path: string }) => e.path).sort();
  t.same(paths, ['password', 'rotate'], 'each unknown field named');
  t.same((await server.api('GET', path)).json, before, 'credentials unchanged');
  t.equal((await server.api('POST', path, { raw: 'rotate', headers: { 'content-type': 'text/plain' } })).status, 415, 'a body that is not JSON is refused');
  t.same((await server.api('GET', path)).json, before, 'credentials unchanged');

  const empty = await server.api('POST', path);
  t.equal(empty.status, 200, `no body still regenerates: ${empty.text}`);
  t.not(empty.json.password, before.password);
  const object = await server.api('POST', path, { body: {} });
  t.equal(object.status, 200, `an empty object too: ${object.text}`);
  t.not(object.json.password, empty.json.password);
});
