import { createHash } from 'node:crypto';
import t from 'tap';
import { authorization, parseChallenge, pickChallenge } from '../../../src/sip/digest.js';
import { buildRequest, cseqOf, escapeUser, header, newBranch, parseResponse, plainAddress, topViaBranch } from '../../../src/sip/message.js';

t.test('a NOTIFY as it goes on the wire', async (t) => {
  const text = buildRequest({
    method: 'NOTIFY',
    uri: 'sip:ada@192.0.2.10:5060',
    local: { address: '192.0.2.1', port: 40000 },
    branch: 'z9hG4bKabc',
    from: { uri: 'sip:dialtone@192.0.2.1', tag: 't1' },
    to: { uri: 'sip:ada@192.0.2.10:5060' },
    callId: 'c1',
    cseq: 7,
    headers: [['Event', 'check-sync']],
  }).toString();
  t.equal(
    text,
    [
      'NOTIFY sip:ada@192.0.2.10:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1:40000;branch=z9hG4bKabc;rport',
      'Max-Forwards: 70',
      'From: <sip:dialtone@192.0.2.1>;tag=t1',
      'To: <sip:ada@192.0.2.10:5060>',
      'Call-ID: c1',
      'CSeq: 7 NOTIFY',
      'Event: check-sync',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const v6 = buildRequest({ method: 'NOTIFY', uri: 'sip:a@[2001:db8::1]:5060', local: { address: '2001:db8::2', port: 5 }, branch: 'z9hG4bKx', from: { uri: 'sip:d@[2001:db8::2]', tag: 'x' }, to: { uri: 'sip:a@[2001:db8::1]' }, callId: 'c', cseq: 1 }).toString();
  t.match(v6, /^Via: SIP\/2\.0\/UDP \[2001:db8::2\]:5;/m, 'IPv6 in brackets');
  t.throws(() => buildRequest({ method: 'NOTIFY', uri: 'sip:a@b', local: { address: 'h', port: 1 }, branch: 'z9hG4bKx', from: { uri: 'sip:d@h', tag: 'x' }, to: { uri: 'sip:a@b' }, callId: 'c', cseq: 1, headers: [['Event', 'check-sync\r\nX-Evil: 1']] }), /line break/, 'no header injection');
  t.match(newBranch(), /^z9hG4bK[0-9a-f]{24}$/, 'branches carry the RFC 3261 magic cookie');
  t.not(newBranch(), newBranch(), 'and are unique');
  t.equal(escapeUser('ada.lovelace'), 'ada.lovelace');
  t.equal(escapeUser('a b@c'), 'a%20b%40c', 'a user part cannot break the URI');
  t.equal(plainAddress('::ffff:10.0.0.5'), '10.0.0.5');
  t.equal(plainAddress('2001:db8::1'), '2001:db8::1');
});

t.test('responses: status, compact headers, several Vias, folded lines', async (t) => {
  const res = parseResponse(
    Buffer.from(
      [
        'SIP/2.0 401 Unauthorized',
        'v: SIP/2.0/UDP 192.0.2.1:40000;branch=z9hG4bKtop;rport=40000, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlower',
        'Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKlowest',
        'i: c1',
        'CSeq: 1   notify',
        'WWW-Authenticate: Digest realm="r",',
        '  nonce="n", qop="auth"',
        'WWW-Authenticate: Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth"',
        'l: 0',
        '',
        '',
      ].join('\r\n'),
    ),
  );
  t.ok(res);
  t.equal(res!.status, 401);
  t.equal(res!.reason, 'Unauthorized');
  t.equal(topViaBranch(res!), 'z9hG4bKtop', 'the top Via, from a compact header listing two');
  t.equal(res!.headers.get('via')!.length, 3);
  t.equal(header(res!, 'call-id'), 'c1');
  t.same(cseqOf(res!), { seq: 1, method: 'NOTIFY' });
  t.equal(res!.headers.get('www-authenticate')![0], 'Digest realm="r", nonce="n", qop="auth"', 'unfolded');
  t.equal(pickChallenge(res!.headers.get('www-authenticate')!)?.algorithm, 'SHA-256', 'the strongest challenge offered');
  t.equal(parseResponse(Buffer.from('NOTIFY sip:a@b SIP/2.0\r\n\r\n')), null, 'a request is not a response');
  t.equal(parseResponse(Buffer.from('garbage')), null);
  t.equal(parseResponse(Buffer.from('SIP/2.0 200 OK\n\n'))?.status, 200, 'bare LF line ends');
});

t.test('Digest answers', async (t) => {
  // RFC 2617 section 3.5's worked example.
  const rfc = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  t.ok(rfc);
  const answer = authorization(rfc!, { method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle Of Life', cnonce: '0a4f113b' });
  t.match(answer, /response="6629fae49393a05397450978507c4ef1"/, 'the RFC 2617 response');
  t.match(answer, /qop=auth, nc=00000001/);
  t.match(answer, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/, 'opaque echoed');

  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const old = parseChallenge('Digest realm="phone", nonce="abc"')!;
  const plain = authorization(old, { method: 'NOTIFY', uri: 'sip:a@h', username: 'u', password: 'p' });
  t.match(plain, `response="${md5(`${md5('u:phone:p')}:abc:${md5('NOTIFY:sip:a@h')}`)}"`, 'without qop: RFC 2069 form');
  t.notMatch(plain, /qop|cnonce|nc=/);

  const sha = parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-256, qop=auth')!;
  const s256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const shaAnswer = authorization(sha, { method: 'NOTIFY', uri: 'sip:a@h', username: 'u', password: 'p', cnonce: 'c' });
  t.match(shaAnswer, `response="${s256(`${s256('u:r:p')}:n:00000001:c:auth:${s256('NOTIFY:sip:a@h')}`)}"`, 'SHA-256');
  t.match(shaAnswer, /algorithm=SHA-256/);

  t.equal(parseChallenge('Basic realm="x"'), null, 'not Digest');
  t.equal(parseChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256'), null, 'an algorithm Dialtone cannot answer');
  t.equal(pickChallenge(['Digest realm="x", nonce="n", qop="auth-int"']), null, 'auth-int only: no answer');
  t.match(authorization(parseChallenge('Digest realm="a\\"b", nonce="n"')!, { method: 'NOTIFY', uri: 'u', username: 'x"y', password: 'p' }), /username="x\\"y", realm="a\\"b"/, 'quotes escaped both ways');
});
