import t from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { elements, parseXml } from '../../helpers/xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

t.test('Fanvil X4 boot sequence', (t) =>
  replayBoot(t, {
    model: 'fanvil-x4',
    mac: '0c383e07e16c',
    userAgent: 'Fanvil X4 2.10.2.6887 0c383e07e16c',
    boot: ['f0X4hw1.100.cfg', '0c383e07e16c.cfg'],
    deviceFiles: ['0c383e07e16c.cfg'],
    readLine(file, text) {
      const doc = parseXml(text);
      t.equal(doc.documentElement?.tagName, 'sysConf', `${file}: root`);
      const line = elements(doc, 'line');
      t.equal(line.length, 1, `${file}: one line`);
      t.equal(line[0]?.getAttribute('index'), '1');
      t.equal(elements(doc, 'DisplayName').length, 1, `${file}: one display name, nothing injected`);
      t.equal(value(doc, 'EnableReg'), '1');
      t.equal(value(doc, 'RegisterPort'), '5061');
      t.equal(value(doc, 'Transport'), '3', `${file}: TLS`);
      t.equal(value(doc, 'MWINum'), '*97', `${file}: voicemail`);
      t.equal(value(doc, 'SNTPServer'), 'ntp.example.com', `${file}: NTP`);
      t.equal(value(doc, 'FlashServerIP'), PUBLIC_URL, `${file}: resyncs over HTTPS`);
      t.equal(value(doc, 'DefaultUsername'), 'dt0c383e07e16c', `${file}: provisioning user`);
      for (const tag of ['MenuPassword', 'Password']) t.equal(elements(doc, tag).length, 0, `${file}: never ${tag}`);
      return {
        user: value(doc, 'PhoneNumber'),
        authName: value(doc, 'RegisterUser'),
        password: value(doc, 'RegisterPswd'),
        registrar: value(doc, 'RegisterAddr'),
        displayName: value(doc, 'DisplayName'),
        timeZone: ['TimeZone', 'TimeZoneName', 'EnableDST', 'DSTMinOffset', 'DSTStartMon', 'DSTStartWeek', 'DSTStartWday', 'DSTStartHour', 'DSTEndMon', 'DSTEndWeek', 'DSTEndWday', 'DSTEndHour'].map((k) => value(doc, k)),
      };
    },
    checkBootstrap(t, file, text) {
      const doc = parseXml(text);
      t.equal(value(doc, 'FlashServerIP'), PUBLIC_URL, `${file}: HTTPS next`);
      t.equal(value(doc, 'FlashFileName'), '$mac.cfg');
      for (const tag of ['RegisterPswd', 'RegisterUser', 'DefaultUsername', 'DefaultPassword']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
    },
    expectedTimeZone: ['-20', 'UTC-05', '2', '60', '3', '2', '0', '2', '11', '1', '0', '2'],
  }),
);
