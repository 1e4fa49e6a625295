/**
 * TFTP packet codec (RFC 1350, options per RFC 2347). Pure functions over Buffers: parsing never
 * throws, whatever the bytes; a datagram that is not a well-formed packet comes back as `bad`.
 */

export const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 error codes (8 is RFC 2347's "option negotiation refused"). */
export const ERR = { UNDEFINED: 0, NOT_FOUND: 1, ACCESS: 2, ILLEGAL: 4, UNKNOWN_TID: 5, OPTIONS: 8 } as const;

/** RFC 2347: a request, options included, fits in 512 bytes. */
export const MAX_REQUEST = 512;

export type Packet =
  | { op: 1 | 2; file: string; mode: string; options: Array<[name: string, value: string]> }
  | { op: 3; block: number; data: Buffer }
  | { op: 4; block: number }
  | { op: 5; code: number; message: string }
  | { op: 6; options: Array<[name: string, value: string]> }
  | { op: 'bad'; reason: string };

/** Splits NUL-terminated strings; undefined when the last one lacks its NUL. */
function strings(buf: Buffer, from: number): string[] | undefined {
  const out: string[] = [];
  let at = from;
  while (at < buf.length) {
    const nul = buf.indexOf(0, at);
    if (nul < 0) return undefined;
    // latin1 maps every byte to one character, so nothing is lost or invalid.
    out.push(buf.toString('latin1', at, nul));
    at = nul + 1;
  }
  return out;
}

export function parse(buf: Buffer): Packet {
  if (buf.length < 2) return { op: 'bad', reason: 'Datagram too short' };
  const op = buf.readUInt16BE(0);
  switch (op) {
    case OP.RRQ:
    case OP.WRQ: {
      if (buf.length > MAX_REQUEST) return { op: 'bad', reason: 'Request too long' };
      const parts = strings(buf, 2);
      if (!parts || parts.length < 2) return { op: 'bad', reason: 'Malformed request' };
      const [file = '', mode = '', ...rest] = parts;
      if (rest.length % 2 !== 0) return { op: 'bad', reason: 'Malformed options' };
      const options: Array<[string, string]> = [];
      for (let i = 0; i < rest.length; i += 2) options.push([rest[i] ?? '', rest[i + 1] ?? '']);
      return { op, file, mode, options };
    }
    case OP.DATA:
      if (buf.length < 4) return { op: 'bad', reason: 'Malformed DATA' };
      return { op, block: buf.readUInt16BE(2), data: buf.subarray(4) };
    case OP.ACK:
      // Some clients pad ACKs; the first four bytes are what counts.
      if (buf.length < 4) return { op: 'bad', reason: 'Malformed ACK' };
      return { op, block: buf.readUInt16BE(2) };
    case OP.ERROR: {
      if (buf.length < 4) return { op: 'bad', reason: 'Malformed ERROR' };
      const end = buf.indexOf(0, 4);
      return { op, code: buf.readUInt16BE(2), message: buf.toString('latin1', 4, end < 0 ? Math.min(buf.length, 4 + 512) : end) };
    }
    case OP.OACK: {
      const parts = strings(buf, 2);
      if (!parts || parts.length % 2 !== 0) return { op: 'bad', reason: 'Malformed OACK' };
      const options: Array<[string, string]> = [];
      for (let i = 0; i < parts.length; i += 2) options.push([parts[i] ?? '', parts[i + 1] ?? '']);
      return { op, options };
    }
    default:
      return { op: 'bad', reason: 'Illegal TFTP operation' };
  }
}

/** The 4-byte header of DATA `block` (the payload follows it in the same datagram). */
export function dataHeader(block: number): Buffer {
  return Buffer.from([0, OP.DATA, (block >> 8) & 0xff, block & 0xff]);
}

export function data(block: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt16BE(OP.DATA, 0);
  out.writeUInt16BE(block & 0xffff, 2);
  payload.copy(out, 4);
  return out;
}

export function ack(block: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt16BE(OP.ACK, 0);
  out.writeUInt16BE(block & 0xffff, 2);
  return out;
}

export function error(code: number, message: string): Buffer {
  return Buffer.concat([Buffer.from([0, OP.ERROR, code >> 8, code & 0xff]), Buffer.from(message, 'latin1'), Buffer.from([0])]);
}

function withStrings(op: number, parts: string[]): Buffer {
  return Buffer.concat([Buffer.from([0, op]), ...parts.map((s) => Buffer.from(`${s}\0`, 'latin1'))]);
}

export function oack(options: Array<[string, string]>): Buffer {
  return withStrings(OP.OACK, options.flat());
}

export function request(op: 1 | 2, file: string, mode: string, options: Array<[string, string]> = []): Buffer {
  return withStrings(op, [file, mode, ...options.flat()]);
}
