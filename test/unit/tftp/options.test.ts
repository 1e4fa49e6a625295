import t from 'tap';
import { negotiate, netascii } from '../../../src/tftp/options.js';

const caps = { maxBlockSize: 1468, maxWindowSize: 64, maxTimeoutMs: 5000 };

t.test('octet without options', async (t) => {
  t.same(negotiate('OCTET', [], caps), { netascii: false, blockSize: 512, windowSize: 1, tsize: false, oack: [] });
});

t.test('options: names without case, values capped, unknown ignored', async (t) => {
  t.same(negotiate('octet', [['BLKSIZE', '65464'], ['WindowSize', '1000'], ['TSize', '0'], ['timeout', '5'], ['multicast', '']], caps), {
    netascii: false,
    blockSize: 1468,
    windowSize: 64,
    tsize: true,
    timeoutMs: 5000,
    oack: [['blksize', '1468'], ['windowsize', '64'], ['tsize', ''], ['timeout', '5']],
  });
  t.same(negotiate('octet', [['blksize', '8']], caps), { netascii: false, blockSize: 8, windowSize: 1, tsize: false, oack: [['blksize', '8']] });
  t.same(negotiate('octet', [['timeout', '3000']], caps), { netascii: false, blockSize: 512, windowSize: 1, tsize: false, oack: [] }, 'a timeout out of 1-255 is not acknowledged');
});

t.test('timeout: acknowledged, as asked, only up to the ceiling; above it, left out of the OACK', async (t) => {
  const at = (maxTimeoutMs: number, value: string) => negotiate('octet', [['blksize', '1024'], ['timeout', value]], { ...caps, maxTimeoutMs });
  t.match(at(4000, '1'), { timeoutMs: 1000, oack: [['blksize', '1024'], ['timeout', '1']] });
  t.match(at(4000, '4'), { timeoutMs: 4000, oack: [['blksize', '1024'], ['timeout', '4']] }, 'the ceiling itself is granted');
  for (const value of ['5', '255']) {
    const got = at(4000, value);
    t.same(got, { netascii: false, blockSize: 1024, windowSize: 1, tsize: false, oack: [['blksize', '1024']] }, `timeout ${value} over a 4 s ceiling: not acknowledged, and no interval of the client's`);
  }
  t.match(at(255_000, '255'), { timeoutMs: 255_000, oack: [['blksize', '1024'], ['timeout', '255']] }, 'a server configured for it may grant 255');
  t.same(negotiate('octet', [['timeout', '255']], { ...caps, maxTimeoutMs: 4000 }), { netascii: false, blockSize: 512, windowSize: 1, tsize: false, oack: [] }, 'timeout=255 alone: no OACK at all');
});

t.test('refusals', async (t) => {
  for (const [mode, options, code] of [
    ['mail', [], 4],
    ['binary', [], 4],
    ['octet', [['blksize', '7']], 8],
    ['octet', [['blksize', '65465']], 8],
    ['octet', [['blksize', 'abc']], 8],
    ['octet', [['blksize', '1e3']], 8],
    ['octet', [['blksize', ' 512']], 8],
    ['octet', [['windowsize', '0']], 8],
    ['octet', [['windowsize', '65536']], 8],
    ['octet', [['tsize', 'x']], 8],
    ['octet', [['blksize', '512'], ['BlkSize', '512']], 8],
  ] as Array<[string, Array<[string, string]>, number]>) {
    t.match(negotiate(mode, options, caps), { code }, `${mode} ${JSON.stringify(options)}`);
  }
});

t.test('netascii: LF → CR LF, CR → CR NUL', async (t) => {
  t.same(netascii(Buffer.from('a\nb\r\nc\rd')), Buffer.from('a\r\nb\r\0\r\nc\r\0d', 'latin1'));
  t.same(netascii(Buffer.alloc(0)), Buffer.alloc(0));
});
