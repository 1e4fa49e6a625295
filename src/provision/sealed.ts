/**
 * Sealed profiles: a device's full file encrypted under a key only that device was given, for
 * phones that cannot trust Dialtone's CA for HTTPS provisioning (Cisco SPA). The format is what
 * `openssl enc -aes-256-cbc -md md5 -k <key>` writes, the form Cisco's firmware decrypts: the
 * eight bytes `Salted__`, an eight-byte salt, then AES-256-CBC with PKCS#7 padding, key and IV
 * from OpenSSL's EVP_BytesToKey (one MD5 round). See src/vendors/facts/cisco.md.
 *
 * What a sealed file shows a stranger: nothing of the device, and not whether it exists. A MAC
 * nobody registered gets random bytes of the size a real profile has (plain text is padded to
 * whole buckets), stable for as long as the process runs, as a real one is.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('Salted__');
const SALT_BYTES = 8;
const BLOCK = 16;
/**
 * Plain text is padded with trailing white space to a multiple of this (XML allows it after the
 * root). Big enough that a fully set SPA509G (12 lines, 12 keys, every setting: about 13 KB in
 * clear) fits one bucket, as a decoy does: only raw settings by the hundred make a second one.
 */
export const SEALED_BUCKET = 32768;

/** The device's profile key: derived from its provisioning password, so it changes when they are regenerated. */
export function profileKey(provisioningPassword: string): string {
  return createHmac('sha256', provisioningPassword).update('dialtone sealed profile key v1').digest('hex').slice(0, 40);
}

/** OpenSSL's EVP_BytesToKey with MD5 and one round: 32 bytes of key, then 16 of IV. */
function bytesToKey(passphrase: string, salt: Buffer): { key: Buffer; iv: Buffer } {
  const out: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (out.reduce((n, b) => n + b.length, 0) < 48) {
    previous = createHash('md5').update(previous).update(passphrase, 'utf8').update(salt).digest();
    out.push(previous);
  }
  const material = Buffer.concat(out);
  return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
}

/** `openssl enc -aes-256-cbc -md md5 -k passphrase` with the given salt. */
export function opensslEncrypt(plain: Buffer, passphrase: string, salt: Buffer): Buffer {
  const { key, iv } = bytesToKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([MAGIC, salt, cipher.update(plain), cipher.final()]);
}

/** The size of a sealed file whose plain text has this length (padded to the bucket, then PKCS#7). */
const sealedSize = (plainLength: number): number => {
  const padded = Math.max(1, Math.ceil(plainLength / SEALED_BUCKET)) * SEALED_BUCKET;
  return MAGIC.length + SALT_BYTES + padded + BLOCK;
};

/**
 * Seals and masks. Its secret (derived from the secret key, so the same after a restart) makes
 * the salts, so the same plain text seals to the same bytes and a phone's resync of an unchanged
 * file is a 304, and the decoys, so a MAC nobody registered gets the same bytes every time.
 */
export class ProfileSealer {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  seal(plain: Buffer, passphrase: string): Buffer {
    const padded = Buffer.alloc(sealedSize(plain.length) - MAGIC.length - SALT_BYTES - BLOCK, ' ');
    plain.copy(padded);
    const salt = createHmac('sha256', this.secret).update(passphrase).update(padded).digest().subarray(0, SALT_BYTES);
    return opensslEncrypt(padded, passphrase, salt);
  }

  /** What a MAC nobody registered gets: `Salted__` and random-looking bytes of a one-bucket profile's size. */
  decoy(name: string): Buffer {
    const stream = createCipheriv('aes-256-ctr', createHmac('sha256', this.secret).update(name).digest(), Buffer.alloc(BLOCK));
    return Buffer.concat([MAGIC, stream.update(Buffer.alloc(sealedSize(1) - MAGIC.length))]);
  }
}
