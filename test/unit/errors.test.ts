import t from 'tap';
import { DialtoneError, invalid, toProblem } from '../../src/errors.js';

t.test('problem+json lists every field error', async (t) => {
  const p = toProblem(invalid([{ path: 'mac', message: 'bad' }, { path: 'username', message: 'taken' }]));
  t.equal(p.status, 400);
  t.same(p.errors, [{ path: 'mac', message: 'bad' }, { path: 'username', message: 'taken' }]);
  t.match(p.detail, /mac: bad; username: taken/);
});

t.test('unknown errors are opaque', async (t) => {
  const p = toProblem(new Error('secret internals at /etc/x'));
  t.same(p, { type: 'about:blank', title: 'Internal server error', status: 500 });
  t.notOk(JSON.stringify(toProblem(new DialtoneError('internal', 'db exploded'))).includes('exploded'));
});
