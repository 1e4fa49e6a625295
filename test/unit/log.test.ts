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
