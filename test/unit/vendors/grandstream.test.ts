import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import type { Document } from '@xmldom/xmldom';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { zoneFacts } from '../../../src/domain/zone.js';
import { grandstream } from '../../../src/vendors/grandstream.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model, firmware, and DevId when it is a MAC', async (t) => {
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872'), { modelName: 'GXP2135', firmware: '1.0.7.97', model: 'grandstream-gxp2135', mac: '000b828aa872' });
  t.same(grandstream.parseUserAgent('Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee'), { modelName: 'GRP2614', firmware: '1.0.5.15', model: 'grandstream-grp2614', mac: 'c074ad0b63ee' });
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXV3350  V1.3A SW 1.0.1.8 DevId c074ad150b88'), { modelName: 'GXV3350', firmware: '1.0.1.8', mac: 'c074ad150b88' }, 'hardware revision, double space; a model Dialtone does not list');
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP1628 V1.0B SW 1.0.4.106 DevId 000B82AABBCC'), { modelName: 'GXP1628', firmware: '1.0.4.106', model: 'grandstream-gxp1628', mac: '000b82aabbcc' });
  t.same(grandstream.parseUserAgent('Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8'), { modelName: 'GXP2000', firmware: '1.1.6.9', mac: '000b822726c8' }, 'legacy form');
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP2170 SW 1.0.11.16 DevId serial-123'), { modelName: 'GXP2170', firmware: '1.0.11.16', model: 'grandstream-gxp2170' }, 'a DevId that is no MAC is left out');
  for (const other of ['', 'Grandstream', 'Mozilla/5.0', 'Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)', 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37']) {
    t.equal(grandstream.parseUserAgent(other), null, `not Grandstream: ${JSON.stringify(other)}`);
  }
});

t.test('time zones: a listed P64 value, else customize + P246', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.same(grandstream.timeZone('America/New_York', june), { p64: 'EST5EDT', p246: '' });
  t.same(grandstream.timeZone('Europe/London', june), { p64: 'GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00', p246: '' });
  t.same(grandstream.timeZone('Europe/Berlin', june), { p64: 'CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00', p246: '' });
  t.same(grandstream.timeZone('Asia/Kolkata', june), { p64: 'TZT-5:30', p246: '' });
  t.same(grandstream.timeZone('America/Phoenix', june), { p64: 'MST7', p246: '' });
  const sydney = grandstream.timeZone('Australia/Sydney', june);
  t.same(sydney, { p64: 'customize', p246: zoneFacts('Australia/Sydney', 2025).posix }, "Sydney: the phone's list has the pre-2008 rule");
  t.match(sydney.p246, /^AEST-10AEDT,M10\.1\.0(\/2(:00)*)?,M4\.1\.0\/3(:00)*$/);
  t.same(grandstream.timeZone('America/Bogota', june), { p64: 'customize', p246: zoneFacts('America/Bogota', 2025).posix }, 'same offset as New York, no DST: not EST5EDT');
});

t.test('file names: lower case, the legacy binary name is not served', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'grandstream')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('cfg000b828aa872.xml'), ['cfg{mac}.xml:000b828aa872']);
  t.same(one('cfggxp2135.xml'), ['cfg{model}.xml:grandstream-gxp2135']);
  t.same(one('cfggrp2612w.xml'), ['cfg{model}.xml:grandstream-grp2612w']);
  t.same(one('cfg.xml'), ['cfg.xml:']);
  for (const wrong of ['cfg000B828AA872.xml', 'cfg000b828aa872', 'cfgGXP2135.xml', 'cfggxp9999.xml', '000b828aa872.xml', 'cfg.XML', 'cfg000b828aa872.xml.bak']) {
    t.same(one(wrong), [], `${wrong} is no Grandstream file`);
  }
  t.same(modelList().find((m) => m.id === 'grandstream-gxp2135')?.files, ['cfg<mac>.xml', 'cfggxp2135.xml', 'cfg.xml']);
});

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** Renders one of the pack's templates as the resolver would: context, escaped for XML, template. */
async function render(template: string, o: { line?: boolean; full?: boolean; zone?: string; outboundProxy?: string; transport?: 'udp' | 'tcp' | 'tls' } = {}): Promise<string> {
  const model = grandstream.models.find((m) => m.id === 'grandstream-gxp2135')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const site: Site = { id: 's1', name: 'Main', timeZone: o.zone ?? 'America/New_York', sip: { registrar: 'sip.example.com', transport: o.transport ?? 'udp', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, voicemailNumber: '*97', createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë <&>', lastName: "O'Brien\n]]>", username: 'zoe', extension: '201', timeZone: o.zone ?? 'America/New_York', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '000b828aa872',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt000b828aa872', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt000b828aa872', password: 'ProvSecret1' } };
  const scope = template === 'cfg-fallback.xml.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(grandstream, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: '', now: new Date('2025-06-01T00:00:00Z') });
}

t.test('templates render well-formed gs_provision files', async (t) => {
  const full = await render('cfg-mac.xml.hbs', { full: true, zone: 'Australia/Sydney', outboundProxy: 'edge.example.com', transport: 'tcp' });
  const doc = parseXml(full);
  t.equal(doc.documentElement?.tagName, 'gs_provision');
  t.equal(doc.documentElement?.getAttribute('version'), '1');
  t.equal(value(doc, 'mac'), '000b828aa872');
  t.equal(elements(doc, 'config')[0]?.getAttribute('version'), '1');
  t.equal(value(doc, 'P271'), '1');
  t.equal(value(doc, 'P3'), "Zoë <&> O'Brien ]]>", 'names survive XML');
  t.equal(value(doc, 'P270'), '201', 'account name: the extension');
  t.equal(value(doc, 'P47'), 'sip.example.com:5060');
  t.equal(value(doc, 'P34'), 'SipSecret1');
  t.equal(value(doc, 'P130'), '1', 'TCP');
  t.equal(value(doc, 'P48'), 'edge.example.com');
  t.equal(value(doc, 'P33'), '*97');
  t.equal(value(doc, 'P1360'), 'dt000b828aa872');
  t.equal(value(doc, 'P1361'), 'ProvSecret1');
  t.equal(value(doc, 'P212'), '2', 'provisioning over HTTPS');
  t.equal(value(doc, 'P145'), '0', 'DHCP no longer overrides the server');
  t.equal(value(doc, 'P64'), 'customize');
  t.equal(value(doc, 'P246'), zoneFacts('Australia/Sydney', 2025).posix);
  t.equal(value(doc, 'P143'), '0');

  const ny = parseXml(await render('cfg-mac.xml.hbs', { full: true }));
  t.equal(value(ny, 'P64'), 'EST5EDT');
  t.equal(elements(ny, 'P246').length, 0, 'a listed zone needs no P246');
  t.equal(value(ny, 'P48'), '', 'no outbound proxy: cleared');

  const empty = parseXml(await render('cfg-mac.xml.hbs', { full: true, line: false }));
  t.equal(value(empty, 'P271'), '0', 'a device without an employee: account off');
  t.equal(elements(empty, 'P34').length, 0);

  const boot = await render('cfg-mac-bootstrap.xml.hbs');
  const bootDoc = parseXml(boot);
  t.equal(value(bootDoc, 'mac'), '000b828aa872');
  t.equal(value(bootDoc, 'P212'), '2');
  t.ok(value(bootDoc, 'P237'), 'a config server path');
  t.notMatch(boot, /<P34>|<P1361>|SipSecret1|ProvSecret1/);

  const fallback = parseXml(await render('cfg-fallback.xml.hbs'));
  t.equal(elements(fallback, 'mac').length, 0, 'no <mac>: it must match the phone or be absent');
  t.equal(value(fallback, 'P212'), '2');

  for (const text of [full, boot]) {
    t.notMatch(text, /<P2>|<P196>/, 'never sets the admin or user password');
  }
});
