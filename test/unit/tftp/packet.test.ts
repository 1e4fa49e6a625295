import { randomBytes } from 'node:crypto';
import t from 'tap';
import { ack, data, error, oack, parse, request } from '../../../src/tftp/packet.js';

t.test('round trips', async (t) => {
  t.same(parse(request(1, 'SEP001122334455.cnf.xml', 'octet', [['blksize', '1468'], ['tsize', '0']])), {
    op: 1,
    file: 'SEP001122334455.cnf.xml',
    mode: 'octet',
    options: [['blksize', '1468'], ['tsize', '0']],
  });
  t.same(parse(data(65537, Buffer.from('abc'))), { op: 3, block: 1, data: Buffer.from('abc') }, 'block numbers wrap at 65536');
  t.same(parse(ack(7)), { op: 4, block: 7 });
  t.same(parse(error(1, 'File not found')), { op: 5, code: 1, message: 'File not found' });
  t.same(parse(oack([['blksize', '512']])), { op: 6, options: [['blksize', '512']] });
  t.same(parse(Buffer.from([0, 4, 0, 3, 9, 9])), { op: 4, block: 3 }, 'a padded ACK counts by its first four bytes');
});

t.test('malformed datagrams are "bad", never a throw', async (t) => {
  for (const [name, buf] of [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([1])],
    ['RRQ without NULs', Buffer.from('\0\x01filemode')],
    ['RRQ without mode', Buffer.from('\0\x01file\0')],
    ['odd option strings', Buffer.from('\0\x01file\0octet\0blksize\0')],
    ['RRQ over 512 bytes', request(1, 'x'.repeat(600), 'octet')],
    ['short ACK', Buffer.from([0, 4, 0])],
    ['short DATA', Buffer.from([0, 3, 1])],
    ['opcode 7', Buffer.from([0, 7, 0, 0])],
    ['opcode 65535', Buffer.from([255, 255])],
  ] as const) {
    t.equal(parse(buf).op, 'bad', name);
  }
  // 20,000 random datagrams of 0-600 bytes, half starting with a valid opcode.
  let bad = 0;
  for (let i = 0; i < 20_000; i++) {
    const buf = randomBytes(i % 601);
    if (i % 2 && buf.length >= 2) {
      buf[0] = 0;
      buf[1] = 1 + (i % 6);
    }
    if (parse(buf).op === 'bad') bad++;
  }
  t.ok(bad > 0);
});
