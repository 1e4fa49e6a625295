import t from 'tap';
import { DigestAuth, digestResponse, parseDigest, type Algorithm } from '../../../src/provision/digest.js';

t.test('RFC 7616 section 3.9.1 example', async (t) => {
  const inputs = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  t.equal(digestResponse('MD5', inputs), '8ca523f5e9506fed4657c9700eebdbec');
  t.equal(digestResponse('SHA-256', inputs), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

t.test('parsing', async (t) => {
  t.same(parseDigest('Digest username="a b", realm="r", nc=00000001, qop=auth, uri="/x?a=1,2"'), { username: 'a b', realm: 'r', nc: '00000001', qop: 'auth', uri: '/x?a=1,2' });
  t.same(parseDigest('Digest username="q\\"uote"'), { username: 'q"uote' });
  t.equal(parseDigest('Basic abc'), null);
  t.equal(parseDigest(undefined), null);
  t.equal(parseDigest('Digest username="unterminated'), null);
});

const device = { username: 'dt001565000001', password: 'Abcdefghijklmnopqrstuvwx' };

function answer(challenge: string, opts: { algorithm?: Algorithm; nc?: string; uri?: string; username?: string; password?: string; cnonce?: string } = {}): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const algorithm = opts.algorithm ?? 'SHA-256';
  const inputs = {
    username: opts.username ?? device.username,
    password: opts.password ?? device.password,
    realm,
    method: 'GET',
    uri: opts.uri ?? '/001565000001.cfg',
    nonce,
    nc: opts.nc ?? '00000001',
    cnonce: opts.cnonce ?? 'abc123',
  };
  return `Digest username="${inputs.username}", realm="${realm}", nonce="${nonce}", uri="${inputs.uri}", algorithm=${algorithm}, qop=auth, nc=${inputs.nc}, cnonce="${inputs.cnonce}", response="${digestResponse(algorithm, inputs)}"`;
}

t.test('challenge and verification', async (t) => {
  let clock = 1_000_000;
  const auth = new DigestAuth({ now: () => clock, nonceTtlMs: 60_000 });
  const [md5, sha] = auth.challenge();
  t.match(md5, /^Digest realm="dialtone", qop="auth", algorithm=MD5, nonce="[A-Za-z0-9_-]{43}", opaque="/, 'MD5 first: many phones read only the first challenge');
  t.match(sha, /^Digest realm="dialtone", qop="auth", algorithm=SHA-256, nonce="[A-Za-z0-9_-]{43}", opaque="/);
  const uri = '/001565000001.cfg';
  t.same(auth.verify(answer(sha as string), 'GET', uri, device), { ok: true }, 'SHA-256');
  t.same(auth.verify(answer(auth.challenge()[0] as string, { algorithm: 'MD5' }), 'GET', uri, device), { ok: true }, 'MD5');
  t.same(auth.verify(answer(sha as string), 'GET', uri, device), { ok: false, stale: false }, 'the same nonce count again is a replay');
  t.same(auth.verify(answer(sha as string, { nc: '00000002' }), 'GET', uri, device), { ok: true }, 'a higher count is fine');
  t.same(auth.verify(answer(sha as string, { nc: '00000002', cnonce: 'other' }), 'GET', uri, device), { ok: false, stale: false }, 'a count that does not grow is refused');
  t.same(auth.verify(answer(sha as string, { nc: '00000003', password: 'wrong' }), 'GET', uri, device), { ok: false, stale: false }, 'wrong password');
  const other = { username: 'dt001565000002', password: 'Zyxwvutsrqponmlkjihgfedc' };
  t.same(auth.verify(answer(sha as string, { nc: '00000004', username: other.username, password: other.password }), 'GET', uri, device), { ok: false, stale: false }, "another device's credentials do not open this device");
  t.same(auth.verify(answer(sha as string, { nc: '00000005', uri: '/other.cfg' }), 'GET', uri, device), { ok: false, stale: false }, 'the digest must be for this request target');
  const forged = answer(sha as string, { nc: '00000006' }).replace(/nonce="[^"]+"/, `nonce="${'A'.repeat(43)}"`);
  t.same(auth.verify(forged, 'GET', uri, device), { ok: false, stale: false }, 'a nonce we did not issue');
  t.same(auth.verify(answer(sha as string, { nc: '00000007' }).replace('qop=auth', 'qop=auth-int'), 'GET', uri, device), { ok: false, stale: false }, 'qop=auth only');
  clock += 61_000;
  t.same(auth.verify(answer(sha as string, { nc: '00000008' }), 'GET', uri, device), { ok: false, stale: true }, 'an expired nonce is stale');
  t.match(auth.challenge(true)[0], /stale=true/);
  t.same(auth.verify(answer(auth.challenge()[0] as string), 'GET', uri, device), { ok: true }, 'a fresh nonce works');
  t.same(new DigestAuth().verify(answer(auth.challenge()[0] as string), 'GET', uri, device), { ok: false, stale: false }, "another server's nonce");
});
