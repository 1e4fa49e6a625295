import t from 'tap';
import {
  PASSWORD_ALPHABET,
  generateAuthName,
  generatePassword,
  generateProvisioningUsername,
  passwordBits,
} from '../../../src/domain/credentials.js';

t.test('the password alphabet is exactly A-Z a-z 0-9', async (t) => {
  t.equal(PASSWORD_ALPHABET.length, 62);
  t.equal(new Set(PASSWORD_ALPHABET).size, 62);
  t.match(PASSWORD_ALPHABET, /^[A-Za-z0-9]+$/);
});

t.test('default passwords are long and strong enough', async (t) => {
  const password = generatePassword();
  // 20: the most an Aastra or Mitel phone takes for a SIP line or for HTTP Digest (facts: aastra.md).
  t.equal(password.length, 20);
  t.ok(passwordBits(password.length) >= 110, `${passwordBits(password.length)} bits`);
  t.equal(passwordBits(20).toFixed(1), '119.1');
  t.match(password, /^[A-Za-z0-9]{20}$/);
  t.equal(generatePassword(40).length, 40);
  t.throws(() => generatePassword(0), RangeError);
  t.throws(() => generatePassword(2.5), RangeError);
});

t.test('every symbol turns up, none dominates', async (t) => {
  const counts = new Map<string, number>();
  // 3,600 passwords of 20 symbols.
  for (let i = 0; i < 3600; i += 1) {
    for (const ch of generatePassword()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  t.same([...counts.keys()].sort(), [...PASSWORD_ALPHABET].sort(), 'all 62 symbols and nothing else');
  // 72,000 draws: each symbol expects ~1161 with a standard deviation of ~34; 1000..1330 is ±5σ.
  const outliers = [...counts].filter(([, n]) => n < 1000 || n > 1330);
  t.same(outliers, [], 'counts near uniform');
});

t.test('auth names: 16 lower-case letters and digits, leading letter, unique', async (t) => {
  const names = Array.from({ length: 10_000 }, generateAuthName);
  t.same(names.filter((name) => !/^[a-z][a-z0-9]{15}$/.test(name)), [], 'shape');
  t.ok(names.some((name) => /[0-9]/.test(name)), 'digits do occur after the first character');
  t.equal(new Set(names).size, 10_000, 'no two equal');
  t.ok(generateAuthName().length <= 32);
});

t.test('provisioning user names are derived from the MAC', async (t) => {
  t.equal(generateProvisioningUsername('001565aabbcc'), 'dt001565aabbcc');
  t.equal(generateProvisioningUsername('001565aabbcc'), generateProvisioningUsername('001565aabbcc'));
  t.not(generateProvisioningUsername('001565aabbcc'), generateProvisioningUsername('001565aabbcd'));
});
