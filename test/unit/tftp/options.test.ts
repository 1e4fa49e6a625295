import t from 'tap';
import { negotiate, netascii } from '../../../src/tftp/options.js';

const caps = { maxBlockSize: 1468, maxWindowSize: 64 };

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
