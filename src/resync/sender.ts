/**
 * How a NOTIFY reaches a phone. The direct sender (the default) sends it over UDP to the
 * address the phone last fetched from and the SIP port setting, answering the phone's Digest
 * challenge with the line's credentials. For phones behind NAT, a PBX they are registered with
 * can reach them through the NAT binding of the registration: the AMI sender asks Asterisk to
 * (see ami.ts). Another PBX is another Sender.
 */
import { plainAddress } from '../sip/message.js';
import { sendNotify, type NotifyDeps } from '../sip/notify.js';

export interface NotifyTarget {
  mac: string;
  /** The pack's `resyncEvent`. */
  event: string;
  /** The line's user (Request-URI and To). */
  user: string;
  /** The line's SIP credentials (Digest answer; the AMI sender names the endpoint by one of these). */
  authName: string;
  password: string;
  /** Where the phone was last seen, and its SIP port (direct sender). */
  address?: string;
  port: number;
}

export interface SendResult {
  /** The phone's final SIP status, when the sender sees it. */
  status?: number;
  reason?: string;
  /** Why there is no status: no answer, a transport error, the PBX's refusal. */
  error?: string;
}

export interface Sender {
  readonly kind: string;
  /** Whether it needs the phone's last-seen address (a resync of a never-seen device is then refused). */
  readonly needsAddress: boolean;
  send(target: NotifyTarget): Promise<SendResult>;
}

export function directSender(opts: { userAgent: string; notify?: NotifyDeps }): Sender {
  return {
    kind: 'direct',
    needsAddress: true,
    async send(target) {
      if (target.address === undefined) return { error: 'no address to send to' };
      const result = await sendNotify(
        { host: plainAddress(target.address), port: target.port, user: target.user, event: target.event, credentials: { username: target.authName, password: target.password }, userAgent: opts.userAgent },
        opts.notify,
      );
      return result.ok ? { status: result.status, reason: result.reason } : { error: result.detail };
    },
  };
}
