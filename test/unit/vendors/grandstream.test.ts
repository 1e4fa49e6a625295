import { readFileSync } from 'node:fs';
import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import type { Document } from '@xmldom/xmldom';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { grandstream } from '../../../src/vendors/grandstream.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model, firmware, and DevId when it is a MAC', async (t) => {
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872'), { modelName: 'GXP2135', firmware: '1.0.7.97', model: 'grandstream-gxp2135', mac: '000b828aa872' });
  t.same(grandstream.parseUserAgent('Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee'), { modelName: 'GRP2614', firmware: '1.0.5.15', model: 'grandstream-grp2614', mac: 'c074ad0b63ee' });
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXV3350  V1.3A SW 1.0.1.8 DevId c074ad150b88'), { modelName: 'GXV3350', firmware: '1.0.1.8', mac: 'c074ad150b88' }, 'hardware revision, double space; a model Dialtone does not list');
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP1628 V1.0B SW 1.0.4.106 DevId 000B82AABBCC'), { modelName: 'GXP1628', firmware: '1.0.4.106', model: 'grandstream-gxp1628', mac: '000b82aabbcc' });
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP2170 SW 1.0.11.85 DevId 000b82865e6a'), { modelName: 'GXP2170', firmware: '1.0.11.85', model: 'grandstream-gxp2170', mac: '000b82865e6a' }, 'GXP2170 [W-PR258]');
  // GRP26xx beyond GRP2614: the same UA form, model as the phone names itself (facts §2: UNCERTAIN per model).
  for (const name of ['GRP2601P', 'GRP2602W', 'GRP2604P', 'GRP2612W', 'GRP2624', 'GRP2634', 'GRP2636', 'GRP2650', 'GRP2670']) {
    t.same(grandstream.parseUserAgent(`Grandstream Model HW ${name} SW 1.0.13.20 DevId ec74d7123456`), { modelName: name, firmware: '1.0.13.20', model: `grandstream-${name.toLowerCase()}`, mac: 'ec74d7123456' }, name);
  }
  t.same(grandstream.parseUserAgent('Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8'), { modelName: 'GXP2000', firmware: '1.1.6.9', mac: '000b822726c8' }, 'legacy form');
  t.same(grandstream.parseUserAgent('Grandstream Model HW GXP2170 SW 1.0.11.16 DevId serial-123'), { modelName: 'GXP2170', firmware: '1.0.11.16', model: 'grandstream-gxp2170' }, 'a DevId that is no MAC is left out');
  for (const other of ['', 'Grandstream', 'Mozilla/5.0', 'Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)', 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37']) {
    t.equal(grandstream.parseUserAgent(other), null, `not Grandstream: ${JSON.stringify(other)}`);
  }
});

/** Grandstream's own P64 lists, GRP261x and GXP21xx, every row (test/fixtures/grandstream/p64-zones.txt). */
const rows = readFileSync(new URL('../../fixtures/grandstream/p64-zones.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t'))
  .map(([list, zone, label, p64]) => ({ list, zone, label, p64 }));
const row = (list: string, zone: string): string | undefined => rows.find((r) => r.list === list && r.zone === zone)?.p64;
/** A TZ string without its zone names: `CST-9:30CDT-10:30,…` → `-9:30-10:30,…` (names do not change the time). */
const unnamed = (tz: string): string => tz.replace(/^[A-Za-z]+|(?<=\d)[A-Za-z]+/g, '');

t.test("time zones: the six zones against Grandstream's own P64 lists", async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.equal(rows.filter((r) => r.zone !== '-').length, 12, 'two lists, six zones');
  const tz = (zone: string) => grandstream.timeZone(zone, june);

  // Both lists agree: the row's own value.
  for (const zone of ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu']) {
    t.equal(row('grp261x', zone), row('gxp21xx', zone), `${zone}: both lists agree`);
    t.same(tz(zone), { p64: row('grp261x', zone), p246: '' }, `${zone}: P64 is the list's row`);
  }
  t.same(tz('America/New_York'), { p64: 'EST5EDT', p246: '' });
  t.same(tz('Europe/London'), { p64: 'GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00', p246: '' });
  t.same(tz('Asia/Kolkata'), { p64: 'TZT-5:30', p246: '' }, 'half-hour offset: listed');
  t.same(tz('Asia/Kathmandu'), { p64: 'TZU-5:45', p246: '' }, '45-minute offset: listed');

  // The lists disagree; the GRP261x row has today's rule, the GXP21xx row an old one. Dialtone
  // writes customize + P246 so every model gets today's rule, spelled as the list rows are.
  for (const zone of ['Australia/Adelaide', 'America/St_Johns']) {
    t.not(row('grp261x', zone), row('gxp21xx', zone), `${zone}: the lists disagree`);
    const { p64, p246 } = tz(zone);
    t.equal(p64, 'customize', `${zone}: self-defined`);
    t.equal(unnamed(String(p246)), unnamed(row('grp261x', zone) as string), `${zone}: P246 means what the GRP261x row means`);
    t.ok(String(p246).length <= 64, `${zone}: P246 fits its 64 characters`);
  }
  t.same(tz('Australia/Adelaide'), { p64: 'customize', p246: 'ACST-9:30ACDT-10:30,M10.1.0/02:00:00,M4.1.0/03:00:00' }, 'southern DST, half-hour offset');
  t.same(tz('America/St_Johns'), { p64: 'customize', p246: 'NST+3:30NDT+2:30,M3.2.0/02:00:00,M11.1.0/02:00:00' }, 'the GRP261x row exactly');
  t.equal(tz('America/St_Johns').p246, row('grp261x', 'America/St_Johns'));

  // Other zones.
  t.same(tz('Europe/Berlin'), { p64: 'CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00', p246: '' });
  t.same(tz('America/Phoenix'), { p64: 'MST7', p246: '' });
  t.same(tz('America/Bogota'), { p64: 'EST5', p246: '' }, "New York's offset without DST: the list's EST5, not EST5EDT");
  t.same(tz('Australia/Sydney'), { p64: 'customize', p246: 'AEST-10AEDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00' }, 'the GXP21xx list has the pre-2008 rule');
  t.same(tz('Pacific/Chatham'), { p64: 'customize', p246: 'CHAST-12:45CHADT-13:45,M9.5.0/02:45:00,M4.1.0/03:45:00' }, '45-minute offset, no row');
  t.same(tz('Asia/Tehran'), { p64: 'customize', p246: 'STD-3:30' }, 'a zone with only a numeric abbreviation gets a letters-only name');
});

t.test('time zones: every P64 value Dialtone writes is a row of both lists', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  const inList = (list: string, p64: string) => rows.some((r) => r.list === list && r.p64 === p64);
  // A zone for each value the pack can pick from the lists.
  const zones = [
    'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix', 'America/Chicago',
    'America/Guatemala', 'America/New_York', 'America/Bogota', 'America/Halifax', 'America/Sao_Paulo', 'America/Noronha',
    'Atlantic/Cape_Verde', 'UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Helsinki', 'Europe/Moscow', 'Asia/Dubai',
    'Asia/Karachi', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Dhaka', 'Asia/Yangon', 'Asia/Bangkok', 'Asia/Shanghai',
    'Asia/Tokyo', 'Australia/Darwin', 'Australia/Brisbane', 'Pacific/Guadalcanal', 'Pacific/Tongatapu',
  ];
  const picked = new Set<string>();
  for (const zone of zones) {
    const { p64 } = grandstream.timeZone(zone, june);
    t.not(p64, 'customize', `${zone}: listed`);
    t.ok(inList('grp261x', String(p64)) && inList('gxp21xx', String(p64)), `${zone}: ${p64} is in both lists`);
    picked.add(String(p64));
  }
  t.equal(picked.size, 31, 'one zone per list value');
});

t.test('file names: lower case, the binary config file is not served', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'grandstream')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('cfg000b828aa872.xml'), ['cfg{mac}.xml:000b828aa872']);
  t.same(one('cfggxp2135.xml'), ['cfg{model}.xml:grandstream-gxp2135']);
  t.same(one('cfggrp2612w.xml'), ['cfg{model}.xml:grandstream-grp2612w']);
  t.same(one('cfggrp2614.xml'), ['cfg{model}.xml:grandstream-grp2614'], 'the KB example [GS-PROV]');
  for (const model of ['grp2601p', 'grp2602w', 'grp2603', 'grp2604p', 'grp2612p', 'grp2624', 'grp2634', 'grp2636', 'grp2650', 'grp2670']) {
    t.same(one(`cfg${model}.xml`), [`cfg{model}.xml:grandstream-${model}`], `current model ${model}`);
  }
  t.same(one('cfg.xml'), ['cfg.xml:']);
  for (const wrong of ['cfg000B828AA872.xml', 'cfg000b828aa872', 'cfgGXP2135.xml', 'cfggxp9999.xml', '000b828aa872.xml', 'cfg.XML', 'cfg000b828aa872.xml.bak']) {
    t.same(one(wrong), [], `${wrong} is no Grandstream file`);
  }
  t.same(modelList().find((m) => m.id === 'grandstream-gxp2135')?.files, ['cfg<mac>.xml', 'cfggxp2135.xml', 'cfg.xml', 'pb<mac>/phonebook.xml']);
});

t.test('routine misses: the binary config file and firmware images, nothing broader', async (t) => {
  const routine = (name: string) => grandstream.routineMisses?.some((re) => re.test(name)) ?? false;
  for (const name of ['cfg000b828aa872', 'cfgc074ad0b63ee.bin', 'gxp2130fw.bin', 'gxp2135fw.bin', 'gxp2170fw.bin', 'grp261xfw.bin', 'grp2614fw.bin']) {
    t.ok(routine(name), `${name} is routine`);
  }
  for (const name of ['cfg000b828aa872.xml', 'cfg.xml', 'cfg', 'cfg.bin', 'cfgadmin.bin', 'cfg000B828AA872', 'cfg000b828aa87', 'cfg000b828aa872.bin.bak', 'config.bin', 'firmware.bin', 'fw.bin', 'gxpfw.bin', 'gxp2170fw.bin.old', 'wp810fw.bin', '../cfg000b828aa872']) {
    t.notOk(routine(name), `${name} is not routine`);
  }
});

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** Renders one of the pack's templates as the resolver would: context, escaped for XML, template. */
async function render(template: string, o: { line?: boolean; full?: boolean; zone?: string; outboundProxy?: string; transport?: 'udp' | 'tcp' | 'tls'; caPem?: string } = {}): Promise<string> {
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
  return renderTemplate(grandstream, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: o.caPem ?? '', now: new Date('2025-06-01T00:00:00Z') });
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
  t.equal(value(doc, 'P246'), 'AEST-10AEDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00');
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
    t.notMatch(text, /<P2>|<P196>/, 'no admin password set: none written; never the user password');
  }
});

t.test('CA and re-check: P8433/P8502 with the PEM, P194/P193 hourly from the bootstrap, daily from the full file', async (t) => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBdialtone\n-----END CERTIFICATE-----\n';
  const files = {
    full: parseXml(await render('cfg-mac.xml.hbs', { full: true, caPem: pem })),
    bootstrap: parseXml(await render('cfg-mac-bootstrap.xml.hbs', { caPem: pem })),
    fallback: parseXml(await render('cfg-fallback.xml.hbs', { caPem: pem })),
  };
  for (const [name, doc] of Object.entries(files)) {
    t.equal(value(doc, 'P8433'), pem, `${name}: Trusted CA Certificate 1 is the PEM, line breaks intact`);
    t.equal(value(doc, 'P8502'), '2', `${name}: load built-in and custom CAs`);
    t.equal(value(doc, 'P194'), '1', `${name}: automatic check every P193 minutes`);
    t.equal(value(doc, 'P145'), '0', `${name}: DHCP does not send it elsewhere`);
    t.equal(elements(doc, 'P8463').length, 0, `${name}: certificate validation left as the phone has it`);
  }
  t.equal(value(files.full, 'P193'), '1440', 'full: daily');
  t.equal(value(files.bootstrap, 'P193'), '60', 'bootstrap: within the hour');
  t.equal(value(files.fallback, 'P193'), '60', 'unknown phone: within the hour');
  const without = parseXml(await render('cfg-mac-bootstrap.xml.hbs'));
  t.equal(elements(without, 'P8433').length, 0, 'no CA known: slot 1 is left alone');
  t.equal(elements(without, 'P8502').length, 0);
});
