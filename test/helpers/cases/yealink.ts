import type { VendorCase } from '../boot.js';
import { parseLines } from '../kv.js';

export const cases: VendorCase[] = [
  {
    name: 'Yealink T46S',
    model: 'yealink-t46s',
    mac: '805ec04aa937',
    userAgent: 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37',
    boot: ['805ec04aa937.boot', 'y000000000000.boot', 'y000000000066.cfg', '805ec04aa937.cfg'],
    routine: [],
    deviceFiles: ['805ec04aa937.cfg'],
    readLine(t, _file, text) {
      t.match(text, /^#!version:1\.0\.0\.1\n/, 'the version line comes first');
      const kv = parseLines(text);
      t.notOk(kv.has('account.1.password = x'), 'the injected key did not become a key');
      return {
        user: kv.get('account.1.user_name'),
        authName: kv.get('account.1.auth_name'),
        password: kv.get('account.1.password'),
        registrar: kv.get('account.1.sip_server.1.address'),
        displayName: kv.get('account.1.display_name'),
        timeZone: ['local_time.time_zone', 'local_time.summer_time', 'local_time.start_time', 'local_time.end_time', 'local_time.offset_time'].map((k) => kv.get(k)),
      };
    },
    checkBootstrap(t, file, text) {
      if (file !== '805ec04aa937.cfg') return;
      const kv = parseLines(text);
      t.equal(kv.get('static.auto_provision.server.url'), 'https://prov.example.com:8443/');
      t.match(kv.get('static.trusted_certificates.url'), /^http:\/\/prov\.example\.com:\d+\/ca\.crt$/, 'installs the CA from plain HTTP');
      t.notOk(kv.has('account.1.password'));
    },
    checkFull() {},
    expectedTimeZone: ['-5', '1', '3/2/7/2', '11/1/7/2', '60'],
  },
];
