import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { opensslEncrypt, profileKey, ProfileSealer, SEALED_BUCKET } from '../../../src/provision/sealed.js';
import { onPath } from '../../helpers/tftp.js';

t.test('byte for byte what openssl enc -aes-256-cbc -md md5 writes, given the salt', async (t) => {
  if (!onPath('openssl')) {
    t.skip('openssl is not installed', async () => {});
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sealed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [plain, key, salt] of [
    ['<flat-profile/>', 'k', '0102030405060708'],
    ['x'.repeat(16), 'a longer passphrase with spaces', 'ffffffffffffffff'],
    ['', 'empty', '0000000000000000'],
  ] as const) {
    const file = join(dir, 'plain');
    writeFileSync(file, plain);
    const theirs = execFileSync('openssl', ['enc', '-aes-256-cbc', '-md', 'md5', '-k', key, '-S', salt, '-in', file]);
    // OpenSSL 3 leaves the Salted__ header out when the salt is given with -S.
    const expected = theirs.subarray(0, 8).toString() === 'Salted__' ? theirs : Buffer.concat([Buffer.from('Salted__'), Buffer.from(salt, 'hex'), theirs]);
    t.same(opensslEncrypt(Buffer.from(plain), key, Buffer.from(salt, 'hex')), expected, `${plain.length} bytes under "${key}"`);
  }
});

t.test('sealed files come in whole buckets; decoys have a one-bucket size and are stable', async (t) => {
  const sealer = new ProfileSealer();
  const small = sealer.seal(Buffer.from('<flat-profile/>'), 'k');
  const big = sealer.seal(Buffer.alloc(SEALED_BUCKET + 1, 'a'), 'k');
  t.equal(small.length, 16 + SEALED_BUCKET + 16, 'header, one bucket, one block of padding');
  t.equal(big.length, 16 + 2 * SEALED_BUCKET + 16, 'two buckets');
  t.same(sealer.seal(Buffer.from('<flat-profile/>'), 'k'), small, 'the same plain text seals to the same bytes (a resync gets a 304)');
  t.not(sealer.seal(Buffer.from('<flat-profile/>'), 'k2').toString('hex'), small.toString('hex'), 'another key, other bytes');
  const decoy = sealer.decoy('cisco\x00{mac}.aes\x000002fd000002');
  t.equal(decoy.length, small.length, 'a decoy is the size of a one-bucket profile');
  t.equal(decoy.subarray(0, 8).toString(), 'Salted__');
  t.same(sealer.decoy('cisco\x00{mac}.aes\x000002fd000002'), decoy, 'the same decoy each time');
  t.not(sealer.decoy('cisco\x00{mac}.aes\x000002fd000003').toString('hex'), decoy.toString('hex'), 'another MAC, another decoy');
  t.not(new ProfileSealer().decoy('cisco\x00{mac}.aes\x000002fd000002').toString('hex'), decoy.toString('hex'), 'another secret, another decoy');
  const secret = Buffer.alloc(32, 7);
  t.same(new ProfileSealer(secret).decoy('x'), new ProfileSealer(secret).decoy('x'), 'the same secret (after a restart): the same decoy');
  t.same(new ProfileSealer(secret).seal(Buffer.from('p'), 'k'), new ProfileSealer(secret).seal(Buffer.from('p'), 'k'), 'and the same sealed bytes');
});

t.test('the profile key: 40 hex digits, from the provisioning password', async (t) => {
  t.match(profileKey('p1'), /^[0-9a-f]{40}$/);
  t.equal(profileKey('p1'), profileKey('p1'));
  t.not(profileKey('p1'), profileKey('p2'), 'regenerated credentials, a new key');
});
