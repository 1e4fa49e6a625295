import t from 'tap';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { parseLines } from '../../helpers/kv.js';

/** `https server/path/port` need the public URL's parts in the render context (see the report). */

t.test('Aastra 6731i boot sequence', (t) =>
  replayBoot(t, {
    model: 'aastra-6731i',
    mac: '00085d237429',
    userAgent: 'Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP',
    boot: ['aastra.cfg', '6731i.cfg', '00085D237429.cfg'],
    deviceFiles: ['00085D237429.cfg'],
    readLine(file, text) {
      const kv = parseLines(text, ':');
      t.notOk(
        text.split('\n').some((l) => /^\s*account\.1\.password\b/.test(l)),
        `${file}: the injected line did not become a line of its own`,
      );
      t.equal(kv.get('sip transport protocol'), '4', `${file}: TLS`);
      t.equal(kv.get('sip line1 registrar port'), '5061');
      t.equal(kv.get('sip line1 proxy ip'), 'sip.example.com');
      t.equal(kv.get('sip line1 vmail'), '*97', `${file}: voicemail`);
      t.equal(kv.get('time server1'), 'ntp.example.com', `${file}: NTP`);
      t.equal(kv.get('http digest username'), 'dt00085d237429', `${file}: provisioning user`);
      t.equal(kv.get('download protocol'), 'HTTPS', `${file}: resyncs over HTTPS`);
      t.equal(kv.get('https server'), 'prov.example.com', `${file}: HTTPS server`);
      t.notOk(kv.has('admin password'), `${file}: never the admin password`);
      return {
        user: kv.get('sip line1 user name'),
        authName: kv.get('sip line1 auth name'),
        password: kv.get('sip line1 password'),
        registrar: kv.get('sip line1 registrar ip'),
        displayName: kv.get('sip line1 display name'),
        timeZone: [
          'time zone name', 'time zone minutes', 'dst config', 'dst minutes', 'dst [start|end] relative date',
          'dst start month', 'dst start week', 'dst start day', 'dst start hour',
          'dst end month', 'dst end week', 'dst end day', 'dst end hour',
        ].map((k) => kv.get(k)),
      };
    },
    checkBootstrap(t, file, text) {
      const kv = parseLines(text, ':');
      t.ok(text.includes(PUBLIC_URL), `${file}: names the HTTPS service`);
      t.equal(kv.get('sips trusted certificates'), 'ca.crt', `${file}: installs the CA`);
      t.equal(kv.get('https server'), 'prov.example.com', `${file}: HTTPS next`);
      for (const key of ['sip line1 password', 'sip line1 user name', 'http digest username', 'http digest password']) t.notOk(kv.has(key), `${file}: no ${key}`);
    },
    expectedTimeZone: ['Custom', '300', '3', '60', '1', '3', '2', '1', '2', '11', '1', '1', '2'],
  }),
);
