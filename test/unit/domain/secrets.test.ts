import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { PIN_HASH, createSealer, hashSecret, verifySecret } from '../../../src/domain/secrets.js';
import { DialtoneError } from '../../../src/errors.js';

const key = randomBytes(32);

/** `fn` throws an internal error whose message gives nothing of the secret away. */
function cannotOpen(t: Test, fn: () => unknown, name: string): void {
  try {
    fn();
    t.fail(`${name}: opened`);
  } catch (err) {
    t.ok(err instanceof DialtoneError && err.code === 'internal' && !err.expose, name);
  }
}

t.test('seal and open round trip', async (t) => {
  const sealer = createSealer(key);
  for (const plain of ['Sup3rSecretPassw0rd', '', 'ünïcødé ☎', 'x'.repeat(10_000)]) {
    const sealed = sealer.seal(plain);
    t.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
    t.notOk(plain.length > 0 && sealed.includes(plain), 'the plain text does not show');
    t.equal(sealer.open(sealed), plain);
  }
  t.equal(createSealer(Buffer.from(key)).open(sealer.seal('same key, new sealer')), 'same key, new sealer');
});

t.test('two seals of the same text differ', async (t) => {
  const sealer = createSealer(key);
  const a = sealer.seal('hello');
  const b = sealer.seal('hello');
  t.not(a, b);
  t.not(a.split('.')[1], b.split('.')[1], 'fresh IV');
});

t.test('a different key cannot open', async (t) => {
  const sealed = createSealer(key).seal('hello');
  cannotOpen(t, () => createSealer(randomBytes(32)).open(sealed), 'other key');
});

t.test('tampering is detected', async (t) => {
  const sealer = createSealer(key);
  const [v, iv, tag, ct] = sealer.seal('the sip password').split('.') as [string, string, string, string];
  const flip = (b64: string, bit: number): string => {
    const bytes = Buffer.from(b64, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ (1 << bit);
    return bytes.toString('base64url');
  };
  cannotOpen(t, () => sealer.open([v, iv, tag, flip(ct, 0)].join('.')), 'flipped ciphertext bit');
  cannotOpen(t, () => sealer.open([v, iv, flip(tag, 7)].join('.') + `.${ct}`), 'flipped tag bit');
  cannotOpen(t, () => sealer.open([v, flip(iv, 3), tag, ct].join('.')), 'flipped IV bit');
  cannotOpen(t, () => sealer.open([v, iv, tag, ct.slice(0, -2)].join('.')), 'truncated ciphertext');
});

t.test('malformed values are refused', async (t) => {
  const sealer = createSealer(key);
  const [, iv, tag, ct] = sealer.seal('x').split('.') as [string, string, string, string];
  const bad = [
    '',
    'plain text',
    `v2.${iv}.${tag}.${ct}`,
    `v1.${iv}.${tag}`,
    `v1.${iv}.${tag}.${ct}.extra`,
    `v1.${iv}.${tag.slice(0, 12)}.${ct}`, // short tag
    `v1.${iv}A.${tag}.${ct}`,
    `v1.${iv}.${tag}.${ct}!`,
  ];
  for (const value of bad) cannotOpen(t, () => sealer.open(value), JSON.stringify(value));
});

t.test('the key must be 32 bytes', async (t) => {
  for (const size of [0, 16, 31, 33]) {
    t.throws(() => createSealer(randomBytes(size)), {
      code: 'internal',
      message: `sealing key must be 32 bytes; got ${size}`,
    });
  }
});

t.test('digest: a salted keyed hash, bound to the key', async (t) => {
  const key = randomBytes(32);
  const sealer = createSealer(key);
  const encoded = sealer.digest('4711');
  t.match(encoded, PIN_HASH, 'a stored PIN hash as the import accepts it');
  t.match(encoded, /^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  t.not(sealer.digest('4711'), encoded, 'fresh salt each time: equal PINs do not look equal');
  const [, salt64 = '', hash64] = encoded.split('$');
  const salt = Buffer.from(salt64, 'base64url');
  const recompute = (k: Buffer, pin: string): string => createHmac('sha256', k).update(salt).update(pin).digest('base64url');
  const derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'dialtone pin hmac v1', 32));
  t.equal(recompute(derived, '4711'), hash64, 'HMAC-SHA-256 of salt and PIN under the derived key');
  t.not(recompute(derived, '4712'), hash64);
  t.not(recompute(key, '4711'), hash64, 'not under the secret key itself');
  t.notOk(PIN_HASH.test(`${encoded}x`) || PIN_HASH.test('hmac-sha256$$'), 'nothing else passes for one');
});

t.test('hash and verify', async (t) => {
  const encoded = await hashSecret('4711');
  t.match(encoded, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  t.notOk(encoded.includes('4711'), 'the hash does not contain the secret');
  t.equal(await verifySecret('4711', encoded), true);
  t.equal(await verifySecret('4712', encoded), false);
  t.equal(await verifySecret('', encoded), false);
  t.not(await hashSecret('4711'), encoded, 'fresh salt each time');
});

t.test('malformed encodings verify false instead of throwing', async (t) => {
  const encoded = await hashSecret('secret');
  const [, , , , salt, hash] = encoded.split('$');
  const bad = [
    '',
    'secret',
    encoded.replace('scrypt', 'bcrypt'),
    encoded.replace('$16384$', '$16383$'), // N not a power of two
    encoded.replace('$16384$', '$0$'), // node would read 0 as its default cost
    encoded.replace('$8$1$', '$8$0$'),
    encoded.replace('$16384$', '$1048576$'), // over scrypt's memory limit
    `scrypt$16384$8$1$${salt}$`,
    `scrypt$16384$8$1$${salt}$A`, // empty hash: would match any secret if accepted
    `scrypt$16384$8$1$${salt}$${hash?.slice(0, 20)}`,
    `scrypt$16384$8$1$$${hash}`,
    `scrypt$16384$8$1$${salt}$${hash}$`,
    `${encoded}!`,
  ];
  for (const value of bad) t.equal(await verifySecret('secret', value), false, JSON.stringify(value));
});
