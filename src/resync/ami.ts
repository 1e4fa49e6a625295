/**
 * The PBX sender for Asterisk: the Asterisk Manager Interface (AMI, TCP, `Key: Value` lines, a
 * blank line ends each packet) action `PJSIPNotify` (res_pjsip_notify). Asterisk sends the NOTIFY
 * to every contact the endpoint registered, through the NAT binding of that registration, and
 * adds `Subscription-State: terminated`; each `Variable: name=value` becomes a header. The phone
 * then trusts the NOTIFY as coming from its registrar.
 *
 * One short connection per NOTIFY: Login, PJSIPNotify, Logoff. Asterisk answers `Response:
 * Success` / `Message: NOTIFY sent` once it has queued the request; it does not report the
 * phone's SIP answer, so a resync sent this way has no `answered` status, only confirmation.
 */
import { connect, type Socket } from 'node:net';
import type { NotifyTarget, Sender } from './sender.js';

export interface AmiOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Which of the device's names is its PJSIP endpoint: its SIP auth name (default) or its line user. */
  endpoint: 'authName' | 'user';
  /** Whole exchange, in ms. */
  timeoutMs?: number;
}

type Packet = Map<string, string>;

const field = (value: string): string => {
  if (/[\r\n]/.test(value)) throw new Error('an AMI field may not hold a line break');
  return value;
};
const packet = (fields: Array<[string, string]>): string => `${fields.map(([k, v]) => `${k}: ${field(v)}`).join('\r\n')}\r\n\r\n`;

/** Reads AMI packets off a socket and hands each that carries an ActionID to whoever waits for it. */
class AmiConnection {
  private buffer = '';
  private readonly waiting = new Map<string, (p: Packet) => void>();
  private failure: Error | undefined;
  private readonly failed: Array<(err: Error) => void> = [];

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      // The greeting ("Asterisk Call Manager/x.y") is one line, not a packet: drop it.
      this.buffer = this.buffer.replace(/^Asterisk Call Manager[^\r\n]*\r?\n/, '');
      for (let end = this.buffer.search(/\r?\n\r?\n/); end !== -1; end = this.buffer.search(/\r?\n\r?\n/)) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const p: Packet = new Map();
        for (const line of text.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon > 0) p.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        const id = p.get('actionid');
        if (id !== undefined && p.has('response')) this.waiting.get(id)?.(p);
      }
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const f of this.failed.splice(0)) f(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the AMI connection closed')));
  }

  action(id: string, fields: Array<[string, string]>): Promise<Packet> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.failed.push(reject);
      this.waiting.set(id, (p) => {
        this.waiting.delete(id);
        resolve(p);
      });
      this.socket.write(packet([...fields.slice(0, 1), ['ActionID', id], ...fields.slice(1)]));
    });
  }
}

export function amiSender(opts: AmiOptions): Sender {
  let counter = 0;
  return {
    kind: 'ami',
    needsAddress: false,
    async send(target: NotifyTarget) {
      const socket = connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => socket.destroy(new Error(`AMI at ${opts.host}:${opts.port} did not answer within ${(opts.timeoutMs ?? 10_000) / 1000} s`)), opts.timeoutMs ?? 10_000);
      timer.unref();
      try {
        const ami = new AmiConnection(socket);
        const prefix = `dialtone-${process.pid}-${++counter}`;
        const login = await ami.action(`${prefix}-login`, [['Action', 'Login'], ['Username', opts.username], ['Secret', opts.secret], ['Events', 'off']]);
        if (login.get('response')?.toLowerCase() !== 'success') return { error: `AMI login refused: ${login.get('message') ?? 'no message'}` };
        const endpoint = opts.endpoint === 'user' ? target.user : target.authName;
        const sent = await ami.action(`${prefix}-notify`, [['Action', 'PJSIPNotify'], ['Endpoint', endpoint], ['Variable', `Event=${target.event}`]]);
        // Logoff is a courtesy (the answer that matters is in), but leaves Asterisk's log clean.
        await ami.action(`${prefix}-logoff`, [['Action', 'Logoff']]).catch(() => undefined);
        if (sent.get('response')?.toLowerCase() !== 'success') return { error: `PJSIPNotify to endpoint ${endpoint} failed: ${sent.get('message') ?? 'no message'}` };
        return {};
      } catch (err) {
        return { error: (err as Error).message };
      } finally {
        clearTimeout(timer);
        socket.destroySoon();
      }
    },
  };
}
