import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../src/log.js';

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
