/**
 * A phone's request as every transport hands it over: plain facts about the channel and the
 * client, never the transport's name as a policy input. A new transport, or TLS ended at a
 * trusted proxy, says what it knows here and changes no policy code.
 */

/** What the transport knows about the channel a request came over. */
export interface Channel {
  /** Nobody between the phone and Dialtone can read or change what is said (TLS to Dialtone). */
  readonly confidential: boolean;
  /** The protocol can carry an authentication challenge and the phone's answer (HTTP can, TFTP cannot). */
  readonly canChallenge: boolean;
  /** How the timeline names the channel (`https`, `http`, `tftp`). Never read by the policy. */
  readonly name: 'https' | 'http' | 'tftp';
}

export const CHANNELS = {
  https: { name: 'https', confidential: true, canChallenge: true },
  http: { name: 'http', confidential: false, canChallenge: true },
  tftp: { name: 'tftp', confidential: false, canChallenge: false },
} as const satisfies Record<string, Channel>;

export interface ProvisionRequest {
  channel: Channel;
  method: string;
  /** The request target as sent (path and query); for TFTP the file name. */
  target: string;
  /** The client's address as the transport saw it. */
  address: string;
  userAgent?: string;
  authorization?: string;
  ifNoneMatch?: string;
  /** The TLS client certificate the phone presented, as the transport checked it. */
  certificate?: ClientCertificate;
}

/**
 * A client certificate: `verified` when it chains to one of the installed vendor CAs and is
 * within its validity; then `vendor` is that CA's vendor and `macs` the MACs the vendor's
 * subject format names. `why` says what was wrong otherwise (for the timeline).
 */
export type ClientCertificate = { verified: true; vendor: string; macs: readonly string[] } | { verified: false; why: string };
