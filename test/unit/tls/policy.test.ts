import { createSecureContext } from 'node:tls';
import t from 'tap';
import { TLS12_SUITES, TLS13_SUITES, TLS_POLICY, tlsPolicy } from '../../../src/tls/policy.js';

t.test('the policy: TLS 1.2+, ECDHE with AEAD on TLS 1.2, our order', async (t) => {
  t.equal(TLS_POLICY.minVersion, 'TLSv1.2');
  t.equal(TLS_POLICY.honorCipherOrder, true);
  const names = TLS_POLICY.ciphers.split(':');
  t.same(names, [...TLS13_SUITES, ...TLS12_SUITES]);
  for (const name of TLS12_SUITES) t.match(name, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/, `${name}: ECDHE with AEAD`);
  t.doesNotThrow(() => createSecureContext(TLS_POLICY), 'OpenSSL takes the list as it is');
  t.throws(() => {
    (TLS_POLICY as { ciphers: string }).ciphers = 'ALL';
  }, 'the shared policy cannot be changed by a caller');
});

t.test('tlsPolicy: extra suites come after ours; none leaves the policy as it is', async (t) => {
  t.same(tlsPolicy(), TLS_POLICY);
  t.same(tlsPolicy([]), TLS_POLICY);
  const widened = tlsPolicy(['AES128-SHA', 'AES256-SHA']);
  t.equal(widened.ciphers, `${TLS_POLICY.ciphers}:AES128-SHA:AES256-SHA`);
  t.equal(widened.minVersion, 'TLSv1.2', 'the minimum version stays');
  t.doesNotThrow(() => createSecureContext(widened));
  t.not(TLS_POLICY.ciphers, widened.ciphers, 'the shared policy is not changed');
});
