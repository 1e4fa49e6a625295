import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, limitedWarn } from '../../src/log.js';

t.test('secrets named anywhere in a record are redacted', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('info', sink);
  log.info({ req: { headers: { authorization: 'Bearer dt_secret1', cookie: 'sid=secret2' } } }, 'request');
  log.info({ password: 'secret3', device: { credentials: { password: 'secret4' } }, employee: { pin: '918273' } }, 'record');
  log.info({ body: { token: 'secret5', adminToken: 'secret6' } }, 'nested');
  const out = lines.join('');
  for (const s of ['dt_secret1', 'secret2', 'secret3', 'secret4', '918273', 'secret5', 'secret6']) t.notOk(out.includes(s), `${s} redacted`);
  t.match(out, /\[redacted\]/);
  t.match(out, /"msg":"record"/, 'the records themselves are still logged');
});

t.test('the pretty format is readable and redacts the same secrets; JSON stays the default', async (t) => {
  const sinkOf = (lines: string[]) =>
    new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
  const pretty: string[] = [];
  createLogger('info', sinkOf(pretty), 'pretty').info({ device: { credentials: { password: 'secret7' } }, mac: '001565aabbcc' }, 'device created');
  const text = pretty.join('');
  t.match(text, /INFO.*: device created/, 'level and message on one line');
  t.match(text, /mac: "001565aabbcc"/, 'fields follow, one a line');
  t.notOk(text.includes('secret7'), 'secret redacted');
  t.throws(() => JSON.parse(text), 'not JSON');
  const json: string[] = [];
  createLogger('info', sinkOf(json)).info('plain');
  t.match(JSON.parse(json.join('')), { level: 30, msg: 'plain' }, 'the default is one JSON object a line');
});

t.test('a warning anyone can cause: one line per key a window, then how many were left out; past maxKeys, one for the rest', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  let at = 0;
  const warn = limitedWarn(createLogger('info', sink), 'closed', { windowMs: 1000, maxKeys: 2, now: () => at });
  for (let i = 0; i < 5; i++) warn('a', { peer: 'a' });
  warn('b', { peer: 'b' });
  t.same(lines.map((l) => l.peer), ['a', 'b'], 'the first of each key');
  warn('c', { peer: 'c' });
  warn('d', { peer: 'd' });
  t.match(lines.at(-1), { peer: 'c', others: true }, 'a third key within the window shares "*"');
  t.equal(lines.length, 3, 'and the fourth is left out with it');
  at = 1000;
  warn('a', { peer: 'a' });
  t.match(lines.at(-1), { peer: 'a', alsoSince: 4 }, 'a window later: logged again, with the count left out');
  warn('e', { peer: 'e' });
  t.match(lines.at(-1), { peer: 'e', alsoSince: 1 }, 'the shared key, too, says what it left out');
  t.equal(lines.length, 5);
});
