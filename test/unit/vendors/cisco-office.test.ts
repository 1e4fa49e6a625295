/**
 * A Cisco office phone (issue 14): several lines, line keys, the company directory, neutral
 * settings and raw settings, rendered through the real templates and read back with a real XML
 * parser, as the phone reads a flat profile (the last element of a name wins).
 */
import t from 'tap';
import type { Document } from '@xmldom/xmldom';
import type { Device, Employee, Key, PlainCredentials, Settings, Site } from '../../../src/domain/types.js';
import { buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import { cisco } from '../../../src/vendors/cisco.js';
import { countryTones, toneScript } from '../../../src/vendors/cisco-tones.js';
import { renderTemplate } from '../../helpers/render.js';
import { elements, parseXml } from '../../helpers/xml.js';
import { office, read, readDirectory } from '../../helpers/office/cisco.js';

const stamp = '2026-01-01T00:00:00.000Z';
const last = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;
const model = (id: string) => cisco.models.find((m) => m.id === id)!;

const site: Site = {
  id: 's1',
  name: 'Main',
  timeZone: 'America/New_York',
  sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls', outboundProxy: 'edge.example.com' },
  voicemailNumber: '*97',
  settings: { language: 'fr', vlan: 30, raw: { cisco: { Text_Logo: 'site', Station_Name: 'site' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const person = (id: string, first: string, last: string, extension: string, keys?: Key[]): Employee => ({
  id,
  siteId: 's1',
  firstName: first,
  lastName: last,
  username: id,
  extension,
  timeZone: 'America/New_York',
  voicemailToEmail: false,
  authorizedUser: false,
  ...(keys ? { keys } : {}),
  createdAt: stamp,
  updatedAt: stamp,
});
const ann = person('ann', 'Ann', "O'Zed & <Co>", '1001', [
  { type: 'blf', value: '1002', label: 'Bob' },
  { type: 'speedDial', value: '+15551234567', label: 'Pizza; fnc=prk' },
  { type: 'park', value: '700' },
  { type: 'voicemail' },
  { type: 'park' },
]);
const bob = person('bob', 'Bob', 'Young', '1002');
const cy = person('cy', 'Cy', 'Abel', '1003');
const device = (modelId: string, settings?: Settings): Device => ({
  mac: '00562b043615',
  model: modelId,
  employeeId: 'ann',
  credentials: { authName: 'auth-ann', passwordSealed: 'sealed-ann', provisioningUsername: 'dt00562b043615', provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [
    { employeeId: 'bob', credentials: { authName: 'auth-bob', passwordSealed: 'sealed-bob' } },
    { employeeId: 'cy', label: 'Reception', credentials: { authName: 'auth-cy', passwordSealed: 'sealed-cy' } },
  ],
  ...(settings ? { settings } : {}),
  createdAt: stamp,
  updatedAt: stamp,
});
const credentials: PlainCredentials = { authName: 'auth-ann', password: 'SipAnn1', provisioning: { username: 'dt00562b043615', password: 'ProvSecret1' } };
const open = (sealed: string): string => ({ 'sealed-bob': 'SipBob2', 'sealed-cy': 'SipCy3', 'sealed-admin': 'Admin9' })[sealed] ?? `?${sealed}`;
const scopes = {
  global: { resyncMinutes: 60, toneCountry: 'GB', codecs: ['G722', 'PCMU', 'opus', 'PCMA'] as Settings['codecs'], raw: { cisco: { Text_Logo: 'global', Resync_Periodic: '7200' } } },
  model: { registerExpiry: 600, syslog: 'log.example.com', raw: { cisco: { Text_Logo: 'model' } } },
};
const deviceSettings: Settings = { raw: { cisco: { Text_Logo: 'device' } } };

function inputs(modelId: string, full = true) {
  return {
    model: model(modelId),
    device: device(modelId, deviceSettings),
    employee: ann,
    site,
    lines: [{ employee: bob, site }, { employee: cy, site }],
    settings: scopes,
    ...(full ? { credentials, open } : {}),
    publicUrl: 'https://prov.example.com:8443/',
    caUrl: 'http://prov.example.com:8080/ca.crt',
    caPem: '',
    now: new Date('2026-06-01T00:00:00Z'),
  };
}
const render = (modelId: string, template = 'mac.xml.hbs', full = true) => renderTemplate(cisco, template, inputs(modelId, full));

t.test('MPP 8841: three lines, their keys, settings, the directory and raw settings last', async (t) => {
  const text = await render('cisco-8841-3pcc');
  const doc = parseXml(text);
  const facts = read(t, { '00562b043615.xml': text });
  t.same(
    facts.lines.map((l) => [l.index, l.user, l.authName, l.password, l.registrar, l.label]),
    [
      [1, 'ann', 'auth-ann', 'SipAnn1', 'sip.example.com', '1001'],
      [2, 'bob', 'auth-bob', 'SipBob2', 'sip.example.com', '1002'],
      [3, 'cy', 'auth-cy', 'SipCy3', 'sip.example.com', 'Reception'],
    ],
    'every line its own account, with the key that shows it',
  );
  for (const n of [1, 2, 3]) {
    t.equal(last(doc, `Proxy_${n}_`), 'sip.example.com:5061', `line ${n}: proxy and port`);
    t.equal(last(doc, `SIP_Transport_${n}_`), 'TLS');
    t.equal(last(doc, `Use_Auth_ID_${n}_`), 'Yes');
    t.equal(last(doc, `Outbound_Proxy_${n}_`), 'edge.example.com');
    t.equal(last(doc, `Register_Expires_${n}_`), '600', `line ${n}: registration expiry from the model scope`);
    t.equal(elements(doc, `Password_${n}_`)[0]?.getAttribute('ua'), 'na', `line ${n}: password hidden from the user pages`);
  }
  t.equal(last(doc, 'Display_Name_1_'), "Ann O'Zed & <Co>", 'names survive XML');
  for (let n = 4; n <= 10; n++) t.equal(last(doc, `Line_Enable_${n}_`), 'No', `line ${n}: switched off`);
  t.equal(elements(doc, 'Line_Enable_11_').length, 0, 'no account beyond the 8841’s ten');

  t.same(facts.keys, [
    { type: 'line', value: '1' },
    { type: 'line', value: '2' },
    { type: 'line', value: '3' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza fnc=prk' },
    { type: 'park', value: '700' },
    { type: 'voicemail', value: '*97' },
    { type: 'park', value: 'ann' },
  ]);
  t.equal(last(doc, 'Extended_Function_4_'), 'fnc=blf+sd+cp;sub=1002@$PROXY;nme=Bob', 'BLF: watch, dial, pick up');
  t.equal(last(doc, 'Extended_Function_5_'), 'fnc=sd;ext=+15551234567@$PROXY;nme=Pizza fnc=prk', 'a label cannot add a parameter');
  t.equal(last(doc, 'Extended_Function_6_'), 'fnc=prk;sub=700@$PROXY');
  t.equal(last(doc, 'Short_Name_6_'), '700');
  t.equal(last(doc, 'Extended_Function_7_'), 'fnc=mwi+sd;ext=*97@$PROXY;sub=ann@$PROXY', "voicemail: the mailbox's lamp, and a press dials it");
  t.equal(last(doc, 'Extended_Function_8_'), 'fnc=prk;sub=ann@$PROXY', 'park without an orbit: on the line itself');
  for (const k of [4, 5, 6, 7, 8]) t.equal(last(doc, `Extension_${k}_`), 'Disabled', `key ${k}: a feature key, no line`);
  for (const k of [9, 10]) {
    t.equal(last(doc, `Extension_${k}_`), 'Disabled', `key ${k}: freed`);
    t.equal(last(doc, `Extended_Function_${k}_`), '');
  }
  t.equal(elements(doc, 'Extension_11_').length, 0, 'no key beyond the 8841’s ten');

  // Settings: global resync and tones and codecs, site language and VLAN, model syslog.
  t.equal(elements(doc, 'Resync_Periodic').at(0)?.textContent, '3600', 'resync from the global scope, in seconds');
  t.equal(last(doc, 'Locale'), 'fr-FR');
  t.equal(last(doc, 'Language_Selection'), 'French');
  t.equal(last(doc, 'Enable_VLAN'), 'Yes');
  t.equal(last(doc, 'VLAN_ID'), '30');
  t.equal(last(doc, 'Syslog_Server'), 'log.example.com:514');
  t.equal(last(doc, 'Dial_Tone'), '350@-19,440@-19;10(*/0/1+2)', 'GB dial tone');
  t.equal(last(doc, 'Busy_Tone'), '400@-16;10(.375/.375/1)');
  t.equal(last(doc, 'Reorder_Tone'), '400@-16;10(.4/.35/1,.225/.525/1)');
  t.equal(last(doc, 'Ring_Back_Tone'), '400@-19,450@-19;*(.4/.2/1+2,.4/2/1+2)');
  t.equal(last(doc, 'Preferred_Codec_2_'), 'G722');
  t.equal(last(doc, 'Second_Preferred_Codec_2_'), 'G711u');
  t.equal(last(doc, 'Third_Preferred_Codec_2_'), 'OPUS');
  t.same(['G711u', 'G711a', 'G729a', 'G722', 'iLBC', 'OPUS'].map((c) => last(doc, `${c}_Enable_3_`)), ['Yes', 'Yes', 'No', 'Yes', 'No', 'Yes'], 'each codec switched by the list');
  t.equal(last(doc, 'Admin_Password'), 'Admin9', "the device's own admin password");
  t.equal(elements(doc, 'Admin_Password')[0]?.getAttribute('ua'), 'na');
  t.equal(elements(doc, 'Admin_Passwd').length, 0, "an MPP has no SPA's Admin_Passwd");

  // The directory, with the device's credentials.
  t.equal(facts.directoryUrl, 'https://prov.example.com:8443/00562b043615-dir-1.xml');
  t.ok(facts.directoryUrl?.endsWith(`/${office.directoryFile}`), 'the office case names the same file');
  t.equal(last(doc, 'XML_User_Name'), 'dt00562b043615');
  t.equal(last(doc, 'XML_Password'), 'ProvSecret1');

  // Raw: the nearest scope wins, written after everything, so it overrides the template's own.
  t.equal(facts.raw('Text_Logo'), 'device');
  t.equal(elements(doc, 'Text_Logo').length, 1, 'one value per key');
  t.equal(facts.raw('Station_Name'), 'site', "raw wins over the template's Station_Name");
  t.equal(facts.raw('Resync_Periodic'), '7200', "and over the template's resync");
  const tail = text.slice(text.indexOf('</Admin_Password>') + '</Admin_Password>'.length).replace(/\s+/g, '');
  t.equal(tail, '<Resync_Periodic>7200</Resync_Periodic><Station_Name>site</Station_Name><Text_Logo>device</Text_Logo></flat-profile>', 'raw settings are the last elements, in the order of the scopes that set them');
});

t.test('a model with fewer keys and lines: the 7821 (2 and 2); keys that do not fit are left out', async (t) => {
  const doc = parseXml(await render('cisco-7821-3pcc'));
  t.same([1, 2].map((n) => last(doc, `Line_Enable_${n}_`)), ['Yes', 'Yes']);
  t.equal(elements(doc, 'Line_Enable_3_').length, 0, 'a third line does not exist on it');
  t.equal(elements(doc, 'User_ID_3_').length, 0);
  t.same([1, 2].map((k) => last(doc, `Extension_${k}_`)), ['1', '2']);
  t.equal(elements(doc, 'Extension_3_').length, 0, 'no third key');
  const config = buildPhoneConfig({ ...inputs('cisco-7821-3pcc'), pack: cisco });
  t.ok(config.leftOut.some((l) => l.key.type === 'blf' && /2 programmable keys/.test(l.reason)), 'the BLF is reported as left out');
});

t.test('a model without line keys keeps its line short name', async (t) => {
  const doc = parseXml(await render('cisco-7832-3pcc'));
  t.equal(last(doc, 'Line_Enable_1_'), 'Yes');
  t.equal(elements(doc, 'Line_Enable_2_').length, 0, 'one account');
  t.equal(elements(doc, 'Extension_1_').length, 0, 'no line key');
  t.equal(last(doc, 'Short_Name_1_'), '1001');
});

t.test('SPA508G: the same lines and keys in the SPA way, no park, no directory, its own admin password name', async (t) => {
  const doc = parseXml(await render('cisco-spa508g'));
  const facts = read(t, { 'x.xml': await render('cisco-spa508g') });
  t.same(facts.lines.map((l) => l.user), ['ann', 'bob', 'cy']);
  for (let n = 4; n <= 8; n++) t.equal(last(doc, `Line_Enable_${n}_`), 'No');
  t.same(
    facts.keys.map((k) => k.type),
    ['line', 'line', 'line', 'blf', 'speedDial', 'speedDial'],
    'park keys left out; voicemail is a speed dial',
  );
  t.equal(last(doc, 'Extended_Function_6_'), 'fnc=sd;ext=*97@$PROXY', 'voicemail as a speed dial');
  const config = buildPhoneConfig({ ...inputs('cisco-spa508g'), pack: cisco });
  t.same(
    config.leftOut.map((l) => l.reason),
    ['the Cisco SPA508G has no park key', 'the Cisco SPA508G has no park key'],
  );
  t.equal(facts.directoryUrl, undefined, 'an SPA has no directory');
  t.equal(elements(doc, 'XML_Password').length, 0);
  t.equal(last(doc, 'Admin_Passwd'), 'Admin9');
  t.equal(elements(doc, 'Admin_Password').length, 0);
  t.equal(last(doc, 'Preferred_Codec_1_'), 'G722', 'no Opus on an SPA: it drops out of the slots');
  t.equal(last(doc, 'Second_Preferred_Codec_1_'), 'G711u');
  t.equal(last(doc, 'Third_Preferred_Codec_1_'), 'G711a');
  t.equal(elements(doc, 'OPUS_Enable_1_').length, 0, 'and no switch it does not have');
  t.equal(last(doc, 'G729a_Enable_1_'), 'No');
  t.match(last(doc, 'Profile_Rule'), /^\[--key [0-9a-f]{40}\]http:/, 'still its sealed path');
});

t.test('the bootstrap and the model file carry no secret and none of the office', async (t) => {
  for (const [id, template] of [['cisco-8841-3pcc', 'mac-bootstrap.xml.hbs'], ['cisco-spa508g', 'mac-bootstrap.xml.hbs'], ['cisco-8841-3pcc', 'model.xml.hbs']] as const) {
    const text = await render(id, template, false);
    parseXml(text);
    for (const secret of ['SipAnn1', 'SipBob2', 'SipCy3', 'Admin9', 'ProvSecret1']) t.notOk(text.includes(secret), `${id} ${template}: no ${secret}`);
    t.notMatch(text, /Password|User_ID|XML_|Extended_Function|Text_Logo/, `${id} ${template}: no line, key, directory or raw setting`);
  }
  const full = await render('cisco-8841-3pcc', 'mac.xml.hbs', false);
  t.equal(elements(parseXml(full), 'Admin_Password').length, 0, 'no admin password without the credentials');
});

t.test('the directory: 1,000 people in pages of at most 32 entries, linked by soft keys, names intact', async (t) => {
  const people = Array.from({ length: 1000 }, (_, i) => ({ ...person(`p${i}`, `Zoë "${i}"`, `O'Brien & <Sons> ${String(i).padStart(4, '0')}`, String(2000 + i)), ...(i % 2 ? { numbers: [`+1555000${String(i).padStart(4, '0')}`] } : {}) }));
  const entries = directoryEntries(people);
  const url = (n: number) => `https://prov.example.com/00562b043615-dir-${n}.xml`;
  const page = (n: number) => cisco.directory?.(entries, { number: n, url });
  const pages: string[] = [];
  for (let n = 1; page(n) !== null; n++) pages.push(page(n) as string);
  t.equal(pages.length, Math.ceil(1000 / 21), 'whole people only: 21 people take 31 entries, the 22nd would need two more');
  const read = pages.flatMap((text) => {
    t.ok(elements(parseXml(text), 'DirectoryEntry').length <= 32, 'each page within the object’s limit');
    return readDirectory(t, text);
  });
  t.same(read, entries.map((e) => ({ name: e.name, extension: e.extension, ...(e.phoneNumber ? { phoneNumber: e.phoneNumber } : {}) })), 'every person once, in the directory’s order, across the pages');
  t.same(read[0], { name: `Zoë "0" O'Brien & <Sons> 0000`, extension: '2000' }, 'names intact');
  const keys = (text: string) => elements(parseXml(text), 'SoftKeyItem').map((k) => [elements(k, 'Name')[0]?.textContent, elements(k, 'URL')[0]?.textContent, elements(k, 'Position')[0]?.textContent]);
  t.same(keys(pages[0] as string), [['Dial', 'SoftKey:Dial', '1'], ['Next', url(2), '2'], ['Exit', 'SoftKey:Exit', '3']], 'page 1: no previous page');
  t.same(keys(pages[1] as string), [['Dial', 'SoftKey:Dial', '1'], ['Previous', url(1), '2'], ['Next', url(3), '3'], ['Exit', 'SoftKey:Exit', '4']]);
  t.same(keys(pages.at(-1) as string).map((k) => k[0]), ['Dial', 'Previous', 'Exit'], 'the last page: no next page');
  t.equal(last(parseXml(pages[1] as string), 'Prompt'), `Page 2 of ${pages.length}`);

  const small = cisco.directory?.(entries.slice(0, 3), { number: 1, url }) ?? '';
  t.equal(readDirectory(t, small).length, 3);
  t.equal(last(parseXml(small), 'Prompt'), '3 people');
  t.same(keys(small), [], "one page: the phone's own soft keys");
  t.equal(cisco.directory?.(entries.slice(0, 3), { number: 2, url }), null, 'past the last page: nothing');
  const lone = parseXml(cisco.directory?.(directoryEntries([person('x', 'A', 'B\uFFFE\uD800', '1')])) ?? '');
  t.equal(last(lone, 'Name'), 'A B', 'characters XML cannot carry are dropped');

  const spec = cisco.files.find((f) => f.directory);
  t.same(spec && { pattern: spec.pattern, scope: spec.scope, forSpa: spec.onlyFor?.(model('cisco-spa508g')), forMpp: spec.onlyFor?.(model('cisco-8841-3pcc')) }, { pattern: '{mac}-dir-{page}.xml', scope: 'device', forSpa: false, forMpp: true });
});

t.test('rawKey: element names only, nothing that injects', async (t) => {
  const re = cisco.rawKey!;
  for (const ok of ['Text_Logo', 'G722.2_Enable_1_', 'G726-16_Enable_1_', 'Enable_LLDP-MED', 'Phone-UI-readonly', 'Dictionary_Server_Script']) t.ok(re.test(ok), `${ok} is a key`);
  for (const bad of ['', 'a b', 'A=B', 'A>x</A><B', 'A"', "A'", 'A/', '<A>', 'A\nB', 'A\tB', '1A', '_A', '-A', '.A', 'xml_thing', 'XMLx', 'A ua="na"', 'A:B', `A${'b'.repeat(128)}`]) {
    t.notOk(re.test(bad), `${JSON.stringify(bad)} is refused`);
  }
  const config = buildPhoneConfig({ ...inputs('cisco-8841-3pcc'), pack: cisco, device: device('cisco-8841-3pcc', { raw: { cisco: { 'A><Password_1_>x</Password_1_><B': 'v', Good_Key: 'v' } } }) });
  t.same(config.raw.filter((r) => r.key.includes('Good') || r.key.includes('<')).map((r) => r.key), ['Good_Key'], 'an injecting key never reaches the file');
});

t.test('tones: ToneScripts within the phone’s limits for every country', async (t) => {
  t.equal(toneScript('480+620/500,0/500', '10'), '480@-19,620@-19;10(.5/.5/1+2)', "the US busy tone is Cisco's own default");
  t.equal(toneScript('440+480/2000,0/4000', '*'), '440@-19,480@-19;*(2/4/1+2)', 'and its ringback');
  t.equal(toneScript('425/375,0/375,420/375,0/375', '10'), '425@-16,420@-16;10(.375/.375/1,.375/.375/2)', 'alternating frequencies');
  t.equal(countryTones('xx'), undefined);
  t.same(countryTones('de'), { dial: '425@-16;10(*/0/1)', busy: '425@-16;10(.48/.48/1)', reorder: '425@-16;10(.24/.24/1)', ringBack: '425@-16;*(1/4/1)' });
  for (const c of ['AT', 'AU', 'BE', 'BR', 'CA', 'CH', 'CL', 'CN', 'CZ', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'GR', 'HU', 'IL', 'IT', 'MX', 'NL', 'NO', 'NZ', 'PL', 'PT', 'RU', 'SE', 'TW', 'US']) {
    for (const [tone, script] of Object.entries(countryTones(c) ?? {})) {
      t.ok(script.length <= 127, `${c} ${tone}: at most 127 characters`);
      const segments = /\((.*)\)$/.exec(script)?.[1]?.split(',') ?? [];
      t.ok(segments.length >= 1 && segments.length <= 6, `${c} ${tone}: 1 to 6 segments`);
    }
  }
});
