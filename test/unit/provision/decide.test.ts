import t from 'tap';
import type { Device } from '../../../src/domain/types.js';
import { decide, type Facts, type KnownDevice, type WindowState } from '../../../src/provision/decide.js';
import { FileIndex, PACKS } from '../../../src/vendors/index.js';

const files = new FileIndex();
const pack = (id: string) => PACKS.find((p) => p.id === id)!;
const device: Device = {
  mac: '805ec0000001',
  model: 'yealink-t46s',
  credentials: { authName: 'a', passwordSealed: 'x', provisioningUsername: 'u', provisioningPasswordSealed: 'x' },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};
const yealink = (open: boolean | WindowState, over: Partial<KnownDevice> = {}): KnownDevice => ({
  device,
  pack: pack('yealink'),
  model: pack('yealink').models.find((m) => m.id === 'yealink-t46s')!,
  window: open === true ? 'open' : open === false ? 'closed' : open,
  requireCertificate: false,
  ...over,
});

/** Facts for `name`, as from a client on a confidential channel that can be challenged. */
const facts = (name: string, over: Partial<Facts> = {}): Facts => ({
  reads: true,
  matches: files.match(name),
  requestPack: pack('yealink'),
  requestModel: undefined,
  known: null,
  banned: false,
  secretsMayTravel: true,
  canChallenge: true,
  auth: 'none',
  certificate: 'none',
  ...over,
});
const plain = { secretsMayTravel: false } as const;
const tftp = { canChallenge: false } as const;

t.test('the device itself gets its full file: in its window, or with its credentials', async (t) => {
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(true) })), { kind: 'full', reason: 'in_window' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), auth: 'ok' })), { kind: 'full', reason: 'authenticated' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), auth: 'ok', banned: true })), { kind: 'full', reason: 'authenticated' }, 'a ban does not take credentials away');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(true), banned: true })), { kind: 'challenge', reason: 'banned' }, 'but it takes the window away');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(true), ...tftp })), { kind: 'full' }, 'a trusted channel that cannot authenticate, in the window');
});

t.test('outside the window, registered and unregistered MACs get the same challenge', async (t) => {
  const known = decide(facts('805ec0000001.cfg', { known: yealink(false) }));
  const unknown = decide(facts('805ec0000002.cfg'));
  t.match(known, { kind: 'challenge', stale: false, reason: 'window_closed' });
  t.match(unknown, { kind: 'challenge', stale: false, reason: 'unknown_device' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), auth: 'failed' })), { kind: 'challenge', stale: false, reason: 'bad_credentials' });
  t.match(decide(facts('805ec0000002.cfg', { auth: 'failed' })), { kind: 'challenge', stale: false, reason: 'bad_credentials' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), auth: 'stale' })), { kind: 'challenge', stale: true, reason: 'stale_nonce' });
  t.match(decide(facts('805ec0000002.cfg', { banned: true })), { kind: 'challenge', reason: 'banned' }, 'banned: the same challenge for an unknown MAC');
});

t.test('plain channels get the bootstrap from the request alone, registered or not', async (t) => {
  const known = decide(facts('805ec0000001.cfg', { known: yealink(true), ...plain }));
  const unknown = decide(facts('805ec0000001.cfg', { ...plain }));
  t.match(known, { kind: 'anonymous', reason: 'bootstrap', mac: '805ec0000001' });
  t.match(unknown, { kind: 'anonymous', reason: 'unknown_device', mac: '805ec0000001' });
  if (known.kind !== 'anonymous' || unknown.kind !== 'anonymous') throw new Error('unreachable');
  t.equal(known.match.spec, unknown.match.spec, 'the same spec');
  t.equal(known.match.pack, unknown.match.pack, 'of the same vendor');
  t.equal(known.model, unknown.model, 'the same model');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), ...tftp })), { kind: 'anonymous' }, 'trusted TFTP after the window: the bootstrap');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(true), ...plain, banned: true })), { kind: 'miss', reason: 'banned' });
  t.match(decide(facts('805ec0000002.cfg', { ...plain, banned: true })), { kind: 'miss', reason: 'banned' });
});

t.test('a name several vendors use is answered as the vendor the request points at', async (t) => {
  const polycom = decide(facts('0004f2000001.cfg', { ...plain, requestPack: pack('polycom') }));
  t.match(polycom, { kind: 'anonymous', match: { pack: { id: 'polycom' } } });
  const model = decide(facts('805ec0000001.cfg', { ...plain, requestModel: 'yealink-t54w' }));
  t.match(model, { kind: 'anonymous', model: { id: 'yealink-t54w' } }, "the User-Agent's model");
  const registered = decide(facts('805ec0000001.cfg', { requestPack: pack('fanvil'), known: yealink(true) }));
  t.match(registered, { kind: 'full', match: { pack: { id: 'yealink' } } }, 'the full file is always the device’s own vendor');
});

t.test('common and model files, misses', async (t) => {
  t.match(decide(facts('y000000000066.cfg', { ...plain })), { kind: 'public', model: { id: 'yealink-t46s' } });
  t.match(decide(facts('y000000000066.cfg', { banned: true })), { kind: 'miss', reason: 'banned' });
  t.match(decide(facts('000000000000.cfg', { requestPack: undefined })), { kind: 'public', match: { pack: { id: 'polycom' } } }, 'no phone has the MAC 000000000000: Polycom’s common file');
  t.match(decide(facts('wp-login.php')), { kind: 'miss', reason: 'unknown_file' });
  t.match(decide(facts('805ec0000001.cfg', { reads: false, known: yealink(true) })), { kind: 'miss', reason: 'unknown_file' }, 'only reads are served');
});

t.test('a window claimed by another client, or asked for from outside the site’s networks, is no window', async (t) => {
  t.match(decide(facts('805ec0000001.cfg', { known: yealink('claimed') })), { kind: 'challenge', reason: 'window_claimed' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink('outside_networks') })), { kind: 'challenge', reason: 'outside_networks' });
  t.match(decide(facts('805ec0000001.cfg', { known: yealink('claimed'), ...plain })), { kind: 'anonymous', reason: 'bootstrap' }, 'plain HTTP: the bootstrap as ever');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink('claimed'), auth: 'ok' })), { kind: 'full', reason: 'authenticated' }, 'credentials still work');
});

t.test('device certificates', async (t) => {
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), certificate: 'matches' })), { kind: 'full', reason: 'certificate' }, 'its own certificate: the full file at any time');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), certificate: 'matches', banned: true })), { kind: 'full', reason: 'certificate' }, 'like credentials, even from a banned address');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(true), certificate: 'refused' })), { kind: 'challenge', reason: 'certificate_refused' }, 'a refused certificate loses the window');
  t.match(decide(facts('805ec0000001.cfg', { known: yealink(false), certificate: 'refused', auth: 'ok' })), { kind: 'challenge', reason: 'certificate_refused' }, 'and credentials');
  const strict = yealink(true, { requireCertificate: true });
  t.match(decide(facts('805ec0000001.cfg', { known: strict })), { kind: 'challenge', reason: 'certificate_required' }, 'required: no window without it');
  t.match(decide(facts('805ec0000001.cfg', { known: strict, auth: 'ok' })), { kind: 'challenge', reason: 'certificate_required' }, 'nor credentials');
  t.match(decide(facts('805ec0000001.cfg', { known: strict, certificate: 'matches' })), { kind: 'full', reason: 'certificate' });
  t.match(decide(facts('805ec0000002.cfg', { certificate: 'matches' })), { kind: 'challenge', reason: 'unknown_device' }, 'a certificate for a MAC nobody registered opens nothing');
});

t.test('sealed profiles: the key travels on plain channels only in the window; the sealed file to anyone', async (t) => {
  const spa = pack('cisco').models.find((m) => m.id === 'cisco-spa508g')!;
  const known = (window: WindowState, over: Partial<KnownDevice> = {}): KnownDevice => ({ device: { ...device, mac: '0002fd000001', model: spa.id }, pack: pack('cisco'), model: spa, window, requireCertificate: false, ...over });
  const onPlain = (name: string, over: Partial<Facts>) => decide(facts(name, { requestPack: pack('cisco'), ...plain, ...over }));
  t.match(onPlain('0002fd000001-key.xml', { known: known('open') }), { kind: 'full', reason: 'in_window' }, 'the key, in the window, over plain HTTP');
  t.match(onPlain('0002fd000001-key.xml', { known: known('open'), ...tftp }), { kind: 'full', reason: 'in_window' }, 'and over TFTP');
  for (const window of ['closed', 'claimed', 'outside_networks'] as const) {
    t.match(onPlain('0002fd000001-key.xml', { known: known(window) }), { kind: 'anonymous', reason: 'bootstrap' }, `${window}: no key, and no challenge a plain channel could not protect`);
  }
  t.match(onPlain('0002fd000001-key.xml', { known: known('open'), banned: true }), { kind: 'miss', reason: 'banned' }, 'a ban takes the window away');
  t.match(onPlain('0002fd000001-key.xml', { known: known('open', { requireCertificate: true }) }), { kind: 'anonymous' }, 'a device that must show its certificate gets no key without one');
  t.match(onPlain('0002fd000002-key.xml', {}), { kind: 'anonymous', reason: 'unknown_device' }, 'a MAC nobody registered: the same keyless answer');
  t.match(decide(facts('0002fd000001-key.xml', { requestPack: pack('cisco'), known: known('closed') })), { kind: 'challenge' }, 'HTTPS after the window: the usual challenge');

  t.match(onPlain('0002fd000001.aes', { known: known('closed') }), { kind: 'sealed', reason: 'sealed' }, 'the sealed file after the window, over plain HTTP');
  t.match(onPlain('0002fd000001.aes', { known: known('closed'), ...tftp }), { kind: 'sealed', reason: 'sealed' }, 'and TFTP');
  t.match(decide(facts('0002fd000001.aes', { requestPack: pack('cisco'), known: known('closed') })), { kind: 'sealed', reason: 'sealed' }, 'and HTTPS: one form');
  t.match(onPlain('0002fd000002.aes', {}), { kind: 'sealed', reason: 'unknown_device', known: null }, 'a MAC nobody registered: a decoy');
  t.match(onPlain('0002fd000001.aes', { known: yealink(true) }), { kind: 'sealed', known: null }, "another vendor's device: a decoy too");
  t.match(onPlain('0002fd000001.aes', { known: known('closed'), banned: true }), { kind: 'miss', reason: 'banned' });
});

t.test('a device file with nothing a plain channel may carry is a miss there that says why, and served over TLS', async (t) => {
  const directory = { pattern: '{mac}-book.xml', scope: 'device', directory: true, format: 'xml', contentType: 'application/xml' } as const;
  const withBook = { ...pack('yealink'), files: [...pack('yealink').files, directory] };
  const index = new FileIndex([withBook]);
  const f = (over: Partial<Facts>): Facts => facts('805ec0000001-book.xml', { matches: index.match('805ec0000001-book.xml'), requestPack: withBook, known: yealink(true, { pack: withBook }), ...over });
  t.match(decide(f(plain)), { kind: 'miss', reason: 'confidential_only' });
  t.match(decide(f({ ...plain, known: null })), { kind: 'miss', reason: 'confidential_only' }, 'the same for a MAC nobody registered');
  t.match(decide(f({})), { kind: 'full', reason: 'in_window' });
});
