/**
 * The TLS policy of every HTTPS listener (admin and provisioning): TLS 1.2 or later; on TLS 1.2
 * only ECDHE key exchange (forward secrecy) with AEAD ciphers (GCM, ChaCha20-Poly1305), in our
 * order of preference; TLS 1.3 with the suites Node ships by default.
 */
import type { TlsOptions } from 'node:tls';

/** Node's default TLS 1.3 suites, in its order (naming them keeps TLS 1.3 on: see below). */
export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

/** TLS 1.2: ECDHE with AEAD only (Mozilla's "intermediate" list, without DHE). */
export const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export type TlsPolicy = Required<Pick<TlsOptions, 'minVersion' | 'ciphers' | 'honorCipherOrder'>>;

/**
 * The options to spread into `https.createServer`. Node reads `ciphers` as one list: `TLS_*`
 * names are the TLS 1.3 suites (a list without any turns TLS 1.3 off), the others TLS 1.2's.
 */
export const TLS_POLICY: Readonly<TlsPolicy> = Object.freeze({
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
  honorCipherOrder: true,
});

/**
 * The policy, with `extra` TLS 1.2 suites (OpenSSL names, the `tlsExtraCiphers` setting)
 * accepted after ours, for old phones that know none of them: a client offering one of ours
 * still gets it.
 */
export function tlsPolicy(extra: readonly string[] = []): TlsPolicy {
  if (extra.length === 0) return { ...TLS_POLICY };
  return { ...TLS_POLICY, ciphers: [TLS_POLICY.ciphers, ...extra].join(':') };
}
