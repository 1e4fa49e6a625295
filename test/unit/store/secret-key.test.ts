import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createSealer, type Sealer } from '../../../src/domain/secrets.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { checkSecretKey } from '../../../src/store/secret-key.js';
import { device } from '../../helpers/records.js';

const FILE = '/etc/dialtone/secret.key';

async function storeSealedWith(...sealers: Sealer[]): Promise<{ store: MemoryStore; macs: string[] }> {
  const store = new MemoryStore();
  await store.open();
  const macs: string[] = [];
  for (const sealer of sealers) {
    const d = device();
    d.credentials.passwordSealed = sealer.seal('sip-password');
    d.credentials.provisioningPasswordSealed = sealer.seal('provisioning-password');
    await store.insertDevice(d);
    macs.push(d.mac);
  }
  return { store, macs };
}

t.test('the key the passwords were sealed with passes', async (t) => {
  const right = createSealer(randomBytes(32));
  const { store } = await storeSealedWith(right, right, right);
  await t.resolves(checkSecretKey(await store.listDevices(), right, FILE));
  await t.resolves(checkSecretKey([], createSealer(randomBytes(32)), FILE), 'nothing sealed: any key');
});

t.test('another key is refused, naming the key file and a device', async (t) => {
  const right = createSealer(randomBytes(32));
  const { store, macs } = await storeSealedWith(right, right);
  const err = (await checkSecretKey(await store.listDevices(), createSealer(randomBytes(32)), FILE).catch((e: unknown) => e)) as Error;
  t.equal(err.name, 'StartupError');
  t.match(err.message, `secret key file ${FILE} cannot open the passwords sealed in the data`);
  t.match(err.message, 'none of the 2 devices');
  t.match(err.message, macs[0]!);
  t.match(err.message, 'DIALTONE_SECRET_KEY_FILE');
});

t.test('some values that do not open are refused too, naming them', async (t) => {
  const right = createSealer(randomBytes(32));
  const other = createSealer(randomBytes(32));
  const { store, macs } = await storeSealedWith(right, other, right);
  await t.rejects(checkSecretKey(await store.listDevices(), right, FILE), { name: 'StartupError', message: new RegExp(`for 1 of 3 devices \\(${macs[1]}\\)`) });

  // Only the provisioning password damaged.
  const { store: second, macs: [mac] } = await storeSealedWith(right);
  const d = (await second.getDevice(mac!))!;
  await second.replaceDevice({ ...d, credentials: { ...d.credentials, provisioningPasswordSealed: 'v1.damaged' } });
  await t.rejects(checkSecretKey(await second.listDevices(), right, FILE), { name: 'StartupError', message: new RegExp(`none of the 1 devices.*${mac}`) });
});
