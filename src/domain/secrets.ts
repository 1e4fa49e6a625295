/**
 * Secrets at rest. SIP and provisioning passwords must be recoverable to render phone configs, so
 * they are sealed (AES-256-GCM); PINs and API tokens are only ever compared, so they are hashed
 * with keys derived from the secret key (HMAC-SHA-256):
 * - API tokens are 256 random bits: a slow hash would add nothing but a CPU bill per request.
 * - PINs are a few digits. No hash slow enough to run on every import protects 10^4 to 10^8
 *   guesses (scrypt at tens of ms falls in minutes to days); a key kept apart from the records
 *   does: without the secret key a copy of the records lets no one test a guess at all.
 * scrypt remains for API tokens stored by earlier versions (verifySecret).
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { BinaryLike, ScryptOptions } from 'node:crypto';
import { DialtoneError } from '../errors.js';

export interface Sealer {
  /** `v1.<iv>.<tag>.<ciphertext>`, each part base64url; a fresh IV every call. */
  seal(plain: string): string;
  /** The plain text back; throws an internal (never exposed) error if the value was not sealed with this key. */
  open(sealed: string): string;
  /**
   * A secret that is only ever compared (a PIN), hashed under a key derived from this one:
   * `hmac-sha256$<salt>$<hash>` (base64url), with a fresh salt so that equal PINs look different.
   */
  digest(secret: string): string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The bytes of a base64url string, or undefined unless it is exactly what we would have written. */
function fromBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url'); // lenient: skips unknown characters and stray bits
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== KEY_BYTES) {
    throw new DialtoneError('internal', `sealing key must be ${KEY_BYTES} bytes; got ${key.length}`);
  }
  const secretKey = Buffer.from(key); // a private copy: the caller may reuse or wipe its buffer
  const digestKey = deriveKey(secretKey, 'dialtone pin hmac v1');

  return {
    digest(secret) {
      const salt = randomBytes(SALT_BYTES);
      const hash = createHmac('sha256', digestKey).update(salt).update(secret, 'utf8').digest();
      return [DIGEST_PREFIX, salt.toString('base64url'), hash.toString('base64url')].join('$');
    },

    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secretKey, iv, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((bytes) => bytes.toString('base64url'));
      return ['v1', ...parts].join('.');
    },

    open(sealed) {
      const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
        throw cannotOpen();
      }
      const ivBytes = fromBase64url(iv);
      const tagBytes = fromBase64url(tag);
      const ciphertextBytes = fromBase64url(ciphertext);
      if (ivBytes?.length !== IV_BYTES || tagBytes?.length !== TAG_BYTES || !ciphertextBytes) throw cannotOpen();
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey, ivBytes, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(ciphertextBytes), decipher.final()]).toString('utf8');
      } catch {
        throw cannotOpen(); // wrong key or tampered value: GCM authentication failed
      }
    },
  };
}

const DIGEST_PREFIX = 'hmac-sha256';
/** What a stored PIN hash looks like: a Sealer's digest, or scrypt as earlier versions wrote it. */
export const PIN_HASH = /^(hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}|scrypt\$\d{1,8}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{16,})$/;

const cannotOpen = (): DialtoneError =>
  new DialtoneError('internal', 'sealed secret cannot be opened (wrong key, damaged or not sealed)');

// scrypt cost: N=2^14, r=8, p=1 (16 MiB, tens of milliseconds), what the scrypt paper suggests for
// interactive logins. Stored with each hash so they can be raised later.
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

function scryptAsync(secret: BinaryLike, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, options, (err, derived) => (err ? reject(err) : resolve(derived)));
  });
}

/** `scrypt$N$r$p$<salt>$<hash>` (salt and hash base64url) with a fresh random salt. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(secret, salt, HASH_BYTES, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `secret` matches a `hashSecret` result; false, not an error, for a malformed encoding. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  // No zeros: node's scrypt reads a 0 parameter as "use the default".
  const match = /^scrypt\$([1-9]\d{0,7})\$([1-9]\d{0,2})\$([1-9]\d{0,2})\$([^$]+)\$([^$]+)$/.exec(encoded);
  if (!match) return false;
  const [, N = '', r = '', p = '', salt64 = '', hash64 = ''] = match;
  const salt = fromBase64url(salt64);
  const hash = fromBase64url(hash64);
  // A short (or empty) stored hash would make almost any secret match: accept only our length.
  if (!salt || salt.length < SALT_BYTES || hash?.length !== HASH_BYTES) return false;
  let derived: Buffer;
  try {
    derived = await scryptAsync(secret, salt, HASH_BYTES, { N: Number(N), r: Number(r), p: Number(p) });
  } catch {
    return false; // parameters scrypt refuses: N not a power of two, over the memory limit, ...
  }
  return timingSafeEqual(derived, hash);
}

// API tokens: HMAC-SHA-256 under a key derived from the secret key, so a copy of the data file
// alone does not let anyone test guesses offline, and a token is found by its hash (one HMAC and
// a lookup per request, whatever the number of tokens).

const TOKEN_HASH_PREFIX = 'hmac-sha256$';
const TOKEN_KEY_INFO = 'dialtone api token hmac v1';

/** A key for one use only: HKDF-SHA-256 of the 32-byte secret key, with the use as its info. */
function deriveKey(secretKey: Buffer, info: string): Buffer {
  if (secretKey.length !== KEY_BYTES) {
    throw new DialtoneError('internal', `secret key must be ${KEY_BYTES} bytes; got ${secretKey.length}`);
  }
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), info, KEY_BYTES));
}

/** The key API tokens are hashed with. */
export const deriveTokenKey = (secretKey: Buffer): Buffer => deriveKey(secretKey, TOKEN_KEY_INFO);

/** The secret sealed profiles' salts and decoys come from (see provision/sealed.ts): the same across restarts. */
export const deriveSealedProfileSecret = (secretKey: Buffer): Buffer => deriveKey(secretKey, 'dialtone sealed profiles v1');

/** The key Digest nonces are signed with when several instances must accept each other's (see provision/digest.ts). */
export const deriveDigestNonceKey = (secretKey: Buffer): Buffer => deriveKey(secretKey, 'dialtone digest nonces v1');

/** What instances sharing a database compare to tell they hold one secret key: one-way, safe to store beside the data. */
export const secretKeyFingerprint = (secretKey: Buffer): string => deriveKey(secretKey, 'dialtone key fingerprint v1').toString('base64url');

/** `hmac-sha256$<base64url>`: what is stored for an API token, and what it is looked up by. */
export function hashToken(tokenKey: Buffer, token: string): string {
  return TOKEN_HASH_PREFIX + createHmac('sha256', tokenKey).update(token, 'utf8').digest('base64url');
}

/** Whether a stored hash is a `hashToken` result (rather than an older scrypt one). */
export const isTokenHash = (encoded: string): boolean => encoded.startsWith(TOKEN_HASH_PREFIX);

/** Compares two `hashToken` results in constant time (for equal lengths, as ours always are). */
export function sameTokenHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
