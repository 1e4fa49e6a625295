import t from 'tap';
import { formatMac, isDeviceMac, parseMac } from '../../../src/domain/mac.js';
import { refuses } from '../../helpers/refuses.js';

t.test('accepts every notation, any case', async (t) => {
  const accepted: [string, string][] = [
    ['00:15:65:AA:BB:CC', '001565aabbcc'],
    ['00:15:65:aa:bb:cc', '001565aabbcc'],
    ['00-15-65-aa-bb-cc', '001565aabbcc'],
    ['00-15-65-Aa-bB-CC', '001565aabbcc'],
    ['0015.65aa.bbcc', '001565aabbcc'],
    ['0015.65AA.BBCC', '001565aabbcc'],
    ['001565aabbcc', '001565aabbcc'],
    ['001565AABBCC', '001565aabbcc'],
    ['  00:08:5d:23:74:29\n', '00085d237429'],
    ['02:00:00:00:00:01', '020000000001'], // locally administered unicast is fine
  ];
  for (const [input, want] of accepted) t.equal(parseMac(input), want, input);
});

t.test('refuses the wrong number of digits', async (t) => {
  refuses(t, () => parseMac('001565aabbc'), 'mac', /^must be 12 hex digits; got 11$/);
  refuses(t, () => parseMac('001565aabbccd'), 'mac', /^must be 12 hex digits; got 13$/);
  refuses(t, () => parseMac('00:15:65:aa:bb:c'), 'mac', /got 11/);
  refuses(t, () => parseMac(''), 'mac', /got 0/);
});

t.test('refuses characters that are not hex digits or separators', async (t) => {
  refuses(t, () => parseMac('001565aabbcg'), 'mac', /"g" is neither a hex digit/);
  refuses(t, () => parseMac('00 15 65 aa bb cc'), 'mac', /" " is neither/);
  refuses(t, () => parseMac('00_15_65_aa_bb_cc'), 'mac', /"_" is neither/);
});

t.test('refuses mixed or misplaced separators', async (t) => {
  refuses(t, () => parseMac('00:15:65-aa-bb-cc'), 'mac', /mixes separators \(":", "-"\)/);
  refuses(t, () => parseMac('0015.65aa:bbcc'), 'mac', /mixes separators/);
  refuses(t, () => parseMac('001:565:aab:bcc'), 'mac', /":" in the wrong places; write it like 00:15:65:aa:bb:cc/);
  refuses(t, () => parseMac('00:15:65:aa:bbcc'), 'mac', /":" in the wrong places/);
  refuses(t, () => parseMac('00:15:65:aa:bb:cc:'), 'mac', /":" in the wrong places/);
  refuses(t, () => parseMac('0015-65aa-bbcc'), 'mac', /"-" in the wrong places; write it like 00-15-65-aa-bb-cc/);
  refuses(t, () => parseMac('00.15.65.aa.bb.cc'), 'mac', /"\." in the wrong places; write it like 0015\.65aa\.bbcc/);
  refuses(t, () => parseMac('001565.aabbcc'), 'mac', /"\." in the wrong places/);
});

t.test('refuses addresses no phone can have, each with its own message', async (t) => {
  refuses(t, () => parseMac('00:00:00:00:00:00'), 'mac', /all-zero/);
  refuses(t, () => parseMac('FF:FF:FF:FF:FF:FF'), 'mac', /broadcast/);
  refuses(t, () => parseMac('01:00:5e:00:00:fb'), 'mac', /multicast .*first octet 01/);
  refuses(t, () => parseMac('33:33:00:00:00:01'), 'mac', /multicast/);
  refuses(t, () => parseMac('0300.0000.0001'), 'mac', /multicast/);
});

t.test('names the given path', async (t) => {
  refuses(t, () => parseMac('nope', 'device.mac'), 'device.mac', /neither/);
});

t.test('formats for each vendor style', async (t) => {
  t.equal(formatMac('00085d237429', 'lower'), '00085d237429');
  t.equal(formatMac('00085d237429', 'upper'), '00085D237429');
  t.equal(formatMac('00085d237429', 'colon'), '00:08:5d:23:74:29');
  t.equal(formatMac('00085d237429', 'colon-upper'), '00:08:5D:23:74:29');
  t.equal(formatMac('00085d237429', 'dash-upper'), '00-08-5D-23-74-29');
  t.equal(parseMac(formatMac('00085d237429', 'dash-upper')), '00085d237429', 'round trip');
});

t.test('isDeviceMac: the addresses parseMac accepts', async (t) => {
  for (const mac of ['00085d237429', '805ec0000001', 'fefefefefefe']) t.ok(isDeviceMac(mac), mac);
  for (const mac of ['000000000000', 'ffffffffffff', '01005e000001', '333300000001']) t.notOk(isDeviceMac(mac), mac);
});
