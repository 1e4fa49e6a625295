/**
 * Read-request validation and option negotiation: RFC 2347 (names compared without case, unknown
 * options ignored), RFC 2348 blksize, RFC 2349 timeout and tsize, RFC 7440 windowsize.
 */
import { ERR } from './packet.js';

export interface OptionCaps {
  /** Largest blksize granted (8..65464); a larger request is answered with this. */
  maxBlockSize: number;
  /** Largest windowsize granted (1..65535). */
  maxWindowSize: number;
  /** Longest retransmission interval a client's timeout option may set; above it, not acknowledged. */
  maxTimeoutMs: number;
}

export interface Negotiated {
  netascii: boolean;
  blockSize: number;
  windowSize: number;
  /** Retransmission interval the client asked for (RFC 2349), in ms. */
  timeoutMs?: number;
  /** Whether the client asked for tsize (its value is known only once the file is). */
  tsize: boolean;
  /** What goes in the OACK, in the order the client sent it; tsize filled in later. */
  oack: Array<[string, string]>;
}

export type Refusal = { code: number; message: string };

const DECIMAL = /^[0-9]{1,10}$/;

export function negotiate(mode: string, options: Array<[string, string]>, caps: OptionCaps): Negotiated | Refusal {
  const m = mode.toLowerCase();
  // netascii is converted (see netascii below); "mail" and anything else are refused.
  if (m !== 'octet' && m !== 'netascii') return { code: ERR.ILLEGAL, message: 'Unsupported transfer mode' };
  const out: Negotiated = { netascii: m === 'netascii', blockSize: 512, windowSize: 1, tsize: false, oack: [] };
  const seen = new Set<string>();
  for (const [rawName, value] of options) {
    const name = rawName.toLowerCase();
    if (seen.has(name)) return { code: ERR.OPTIONS, message: `Duplicate option ${name}` };
    seen.add(name);
    const n = DECIMAL.test(value) ? Number(value) : NaN;
    switch (name) {
      case 'blksize':
        if (!(n >= 8 && n <= 65464)) return { code: ERR.OPTIONS, message: 'Invalid blksize (8-65464)' };
        out.blockSize = Math.min(n, caps.maxBlockSize);
        out.oack.push([name, String(out.blockSize)]);
        break;
      case 'windowsize':
        if (!(n >= 1 && n <= 65535)) return { code: ERR.OPTIONS, message: 'Invalid windowsize (1-65535)' };
        out.windowSize = Math.min(n, caps.maxWindowSize);
        out.oack.push([name, String(out.windowSize)]);
        break;
      case 'tsize':
        if (Number.isNaN(n)) return { code: ERR.OPTIONS, message: 'Invalid tsize' };
        out.tsize = true;
        out.oack.push([name, '']);
        break;
      case 'timeout':
        // 1-255 seconds; other values are left unacknowledged rather than refused, because a
        // common client (the `tftp` npm package) sends milliseconds here. Unacknowledged, the
        // client knows the server keeps its own interval.
        // Nor may a client stretch our retransmission beyond caps.maxTimeoutMs: timeout=255 made a
        // never-acknowledged transfer hold its slot for the whole deadline. A larger value is left
        // unacknowledged too, not answered with our ceiling: RFC 2349 says the value in the OACK
        // "must match the value specified by the client", so a smaller one there is a protocol
        // error a strict client refuses (error 8), while an option left out of the OACK is the
        // RFC 2347 way of declining it, which every client handles by keeping its own interval.
        if (n >= 1 && n <= 255 && n * 1000 <= caps.maxTimeoutMs) {
          out.timeoutMs = n * 1000;
          out.oack.push([name, String(n)]);
        }
        break;
      default:
      // Unknown options are ignored (RFC 2347), and so not acknowledged.
    }
  }
  return out;
}

/**
 * RFC 1350/854 netascii from a file in local (Unix) form: LF → CR LF, CR → CR NUL. Reversible, so a
 * client converting back gets the file byte for byte.
 */
export function netascii(body: Buffer): Buffer {
  let extra = 0;
  for (const b of body) if (b === 0x0a || b === 0x0d) extra++;
  const out = Buffer.allocUnsafe(body.length + extra);
  let j = 0;
  for (const b of body) {
    if (b === 0x0a) {
      out[j++] = 0x0d;
      out[j++] = 0x0a;
    } else if (b === 0x0d) {
      out[j++] = 0x0d;
      out[j++] = 0x00;
    } else out[j++] = b;
  }
  return out;
}
