import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderTemplate } from '../../helpers/render.js';
import type { Document } from '@xmldom/xmldom';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { cisco } from '../../../src/vendors/cisco.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: SPA, Linksys and MPP; the MAC only when it is one', async (t) => {
  t.same(cisco.parseUserAgent('Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)'), { modelName: 'SPA508G', firmware: '7.4.4', model: 'cisco-spa508g', mac: '0002fdff2103' });
  t.same(cisco.parseUserAgent('Cisco/SPA501G-7.4.4 (8843E157DDCC)(CBT141100HR)'), { modelName: 'SPA501G', firmware: '7.4.4', model: 'cisco-spa501g', mac: '8843e157ddcc' });
  t.same(cisco.parseUserAgent('Cisco/SPA525G-7.4.7 (CBT141900G7)'), { modelName: 'SPA525G', firmware: '7.4.7', model: 'cisco-spa525g' }, 'one bracket: the serial, no MAC');
  t.same(cisco.parseUserAgent('Cisco/SPA525G2-7.4.5 (0002FDAA0001)(CBT141900G7)'), { modelName: 'SPA525G2', firmware: '7.4.5', model: 'cisco-spa525g2', mac: '0002fdaa0001' });
  t.same(
    cisco.parseUserAgent('Linksys/SPA-942-6.1.5(a) (88019FA42805)'),
    { modelName: 'SPA-942', firmware: '6.1.5(a)', model: 'cisco-spa942' },
    'Linksys: the bracket is the serial even when it looks like a MAC',
  );
  t.same(cisco.parseUserAgent('Cisco-CP-7832-3PCC/11.0.1 (00562b043615)'), { modelName: 'CP-7832-3PCC', firmware: '11.0.1', model: 'cisco-7832-3pcc', mac: '00562b043615' });
  t.same(cisco.parseUserAgent('Cisco-CP-8841-3PCC/11.0 (00562b043615)'), { modelName: 'CP-8841-3PCC', firmware: '11.0', model: 'cisco-8841-3pcc', mac: '00562b043615' }, "Cisco's own 8841 example [MPP-AG]");
  t.same(cisco.parseUserAgent('Cisco-CP-8841-3PCC/11.3.1'), { modelName: 'CP-8841-3PCC', firmware: '11.3.1', model: 'cisco-8841-3pcc' }, 'MPP without its MAC');
  // Current models in the same `Cisco-CP-<model>-3PCC/<version> (<mac>)` form.
  for (const n of ['6821', '6841', '6851', '6861', '6871', '7811', '7821', '7841', '7861', '8811', '8832', '8845', '8851', '8861', '8865']) {
    t.same(cisco.parseUserAgent(`Cisco-CP-${n}-3PCC/12.0.7 (00562B043615)`), { modelName: `CP-${n}-3PCC`, firmware: '12.0.7', model: `cisco-${n}-3pcc`, mac: '00562b043615' }, `CP-${n}-3PCC`);
  }
  t.same(cisco.parseUserAgent('Cisco-CP-8875-3PCC/1.0 (00562b043615)'), { modelName: 'CP-8875-3PCC', firmware: '1.0', mac: '00562b043615' }, 'a model without a source for its files: no model id');
  t.same(cisco.parseUserAgent('Cisco/SPA508G-7.4.4 (0002fdff2103)'), { modelName: 'SPA508G', firmware: '7.4.4', model: 'cisco-spa508g' }, 'a lone bracket is the serial, whatever it looks like');
  t.same(cisco.parseUserAgent('Cisco/SPA999G-7.4.4 (0002FDFF2103)(CBT141400UK)'), { modelName: 'SPA999G', firmware: '7.4.4', mac: '0002fdff2103' }, 'unknown model: no model id');
  for (const other of [
    '',
    'Mozilla/5.0 (X11; Linux x86_64)',
    'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37',
    'Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872',
    'Cisco/SPA508G',
    'Cisco/SPA508G-7.4.4',
    'Cisco-CP-7841/11.3.1 (00562b043615)',
  ]) {
    t.equal(cisco.parseUserAgent(other), null, `not Cisco: ${JSON.stringify(other)}`);
  }
});

/** The phones' own Time_Zone choices [F-SPA-TZ, F-9861-TZ]: test/fixtures/cisco/time-zones.json. */
const zoneTable = JSON.parse(readFileSync(new URL('../../fixtures/cisco/time-zones.json', import.meta.url), 'utf8')) as Record<'spa' | 'mpp', { options: string[] }>;

t.test("time zones: the six zones, each a choice of the phones' own list", async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  // Rule format [MPP-AG-DST, SPA-AG-DST]: month/day/weekday/h:m:s, weekday 7 = Sunday, day 8 =
  // "on or after the 8th" (second Sunday), 1 = first, -1 = last; the time is the local clock.
  const expected: Record<string, { offset: string; dstEnable: string; dstRule: string }> = {
    'America/New_York': { offset: 'GMT-05:00', dstEnable: 'Yes', dstRule: 'start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1:0:0' },
    // UTC is plain "GMT" in Cisco's list, not "GMT+00:00".
    'Europe/London': { offset: 'GMT', dstEnable: 'Yes', dstRule: 'start=3/-1/7/1:0:0;end=10/-1/7/2:0:0;save=1:0:0' },
    'Asia/Kolkata': { offset: 'GMT+05:30', dstEnable: 'No', dstRule: '' },
    // Southern summer: DST starts in October and ends in April of the next year.
    'Australia/Adelaide': { offset: 'GMT+09:30', dstEnable: 'Yes', dstRule: 'start=10/1/7/2:0:0;end=4/1/7/3:0:0;save=1:0:0' },
    'Asia/Kathmandu': { offset: 'GMT+05:45', dstEnable: 'No', dstRule: '' },
    'America/St_Johns': { offset: 'GMT-03:30', dstEnable: 'Yes', dstRule: 'start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1:0:0' },
  };
  for (const [zone, want] of Object.entries(expected)) {
    const got = cisco.timeZone(zone, june);
    t.same(got, want, zone);
    for (const family of ['spa', 'mpp'] as const) t.ok(zoneTable[family].options.includes(String(got.offset)), `${zone}: ${got.offset} is a ${family.toUpperCase()} choice`);
  }
  t.same(cisco.timeZone('Australia/Sydney', june), { offset: 'GMT+10:00', dstEnable: 'Yes', dstRule: 'start=10/1/7/2:0:0;end=4/1/7/3:0:0;save=1:0:0' }, 'southern summer');
  t.equal(cisco.timeZone('UTC', june).offset, 'GMT', 'UTC itself');
});

t.test('file names: exact case as the phones ask', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'cisco')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('spa508G.cfg'), ['{model}:cisco-spa508g']);
  t.same(one('spa525G2.cfg'), ['{model}:cisco-spa525g2']);
  t.same(one('spa303.cfg'), ['{model}:cisco-spa303']);
  t.same(one('spa942.cfg'), ['{model}:cisco-spa942']);
  t.same(one('7841-3PCC.xml'), ['{model}:cisco-7841-3pcc']);
  t.same(one('8841-3PCC.xml'), ['{model}:cisco-8841-3pcc']);
  for (const n of ['6821', '6841', '6851', '6861', '6871', '7811', '7821', '7832', '7861', '8811', '8832', '8845', '8851', '8861', '8865']) {
    t.same(one(`${n}-3PCC.xml`), [`{model}:cisco-${n}-3pcc`], `${n}-3PCC.xml`);
  }
  t.same(one('0002fdff2103.xml'), ['{mac}.xml:0002fdff2103']);
  for (const wrong of ['spa508g.cfg', 'SPA508G.cfg', 'spa508G.xml', '7841-3pcc.xml', '7841.xml', 'spa7841-3PCC.cfg', '0002FDFF2103.xml', '0002fdff2103.cfg', 'SEP0002FDFF2103.cnf.xml']) {
    t.same(one(wrong), [], `${wrong} is no Cisco file`);
  }
  t.same(one('8875-3PCC.xml'), [], 'no source for the 8875: not a Cisco file');
  const spa = modelList().find((m) => m.id === 'cisco-spa508g');
  t.same(spa?.files, ['spa508G.cfg', '<mac>-key.xml', '<mac>.aes'], 'an SPA: its key, then its sealed file');
  t.same(modelList().find((m) => m.id === 'cisco-7841-3pcc')?.files, ['7841-3PCC.xml', '<mac>.xml', '<mac>-dir-<page>.xml'], 'an MPP: its file, then its directory when the user opens it');
  t.same(one('00562b043615-dir-1.xml'), ['{mac}-dir-{page}.xml:00562b043615']);
  t.same(one('00562B043615-dir-1.xml'), [], 'the directory name has the MAC in lower case, as the profile writes it');
  t.same(one('00562b043615-dir-0.xml'), [], 'pages count from 1');
});

t.test('routine misses: enterprise firmware names only, nothing a prober would guess', async (t) => {
  const index = new FileIndex();
  for (const name of ['CTLSEP00562B043615.tlv', 'ITLSEP00562B043615.tlv', 'ITLFile.tlv', 'SEP00562B043615.cnf.xml']) {
    t.ok(index.routine(name), `${name} is routine`);
    t.ok(cisco.routineMisses?.some((re) => re.test(name)), `${name}: by the Cisco pack`);
  }
  for (const name of ['SEP00562b043615.cnf.xml', 'SEP.cnf.xml', 'CTLSEP00562B04361.tlv', 'ITLFile.tlv.bak', 'x.tlv', 'admin.xml', '7841-3PCC.cfg', 'config.cfg']) {
    t.notOk(cisco.routineMisses?.some((re) => re.test(name)), `${name} is no routine Cisco name`);
  }
});

const last = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** Renders one of the pack's templates as the resolver would: context, escaped for XML, template. */
async function render(template: string, o: { line?: boolean; full?: boolean; zone?: string; outboundProxy?: string; label?: string; model?: string } = {}): Promise<string> {
  const model = cisco.models.find((m) => m.id === (o.model ?? 'cisco-7841-3pcc'))!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const site: Site = { id: 's1', name: 'Main', timeZone: o.zone ?? 'America/New_York', sip: { registrar: 'sip.example.com', transport: 'udp', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë <&>', lastName: "O'Brien\n]]>", username: 'zoe', extension: '201', timeZone: o.zone ?? 'America/New_York', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '0002fdff2103',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    ...(o.label ? { label: o.label } : {}),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt0002fdff2103', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt0002fdff2103', password: 'ProvSecret1' } };
  const scope = template === 'model.xml.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(cisco, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: '', now: new Date('2025-06-01T00:00:00Z') });
}

t.test('templates render well-formed flat profiles', async (t) => {
  const model = parseXml(await render('model.xml.hbs', { model: 'cisco-7841-3pcc' }));
  t.equal(model.documentElement?.tagName, 'flat-profile');
  t.equal(last(model, 'Profile_Rule_B'), 'https://prov.example.com:8443/$MA.xml', 'the model file chains to the device file over HTTPS');
  t.equal(last(model, 'Custom_CA_Rule'), 'http://prov.example.com:8080/ca.crt');
  t.equal(elements(model, 'Profile_Rule').length, 0, 'Profile_Rule keeps its factory value');
  t.equal(last(model, 'Resync_Periodic'), '86400', 'the daily re-check');
  t.equal(last(model, 'Resync_Error_Retry_Delay'), '60,300,3600', 'a failed chain is retried after 1, 5, then 60 minutes');

  const boot = await render('mac-bootstrap.xml.hbs');
  const bootDoc = parseXml(boot);
  t.equal(last(bootDoc, 'Profile_Rule'), 'https://prov.example.com:8443/$MA.xml');
  t.equal(last(bootDoc, 'Profile_Rule_B'), 'https://prov.example.com:8443/$MA.xml', 'the same resync goes on to the HTTPS file');
  t.equal(last(bootDoc, 'Custom_CA_Rule'), 'http://prov.example.com:8080/ca.crt');
  t.equal(last(bootDoc, 'Resync_Periodic'), '600', 'a first re-check within 10 minutes');
  t.notMatch(boot, /Password|--pwd|SipSecret1|ProvSecret1/);

  const full = await render('mac.xml.hbs', { full: true, zone: 'Australia/Sydney', outboundProxy: 'edge.example.com', label: 'Front desk' });
  const doc = parseXml(full);
  t.equal(last(doc, 'Line_Enable_1_'), 'Yes');
  t.equal(last(doc, 'Display_Name_1_'), "Zoë <&> O'Brien ]]>", 'names survive XML');
  t.equal(last(doc, 'Password_1_'), 'SipSecret1');
  t.equal(last(doc, 'Proxy_1_'), 'sip.example.com:5060');
  t.equal(last(doc, 'SIP_Transport_1_'), 'UDP');
  t.equal(last(doc, 'Use_Outbound_Proxy_1_'), 'Yes');
  t.equal(last(doc, 'Outbound_Proxy_1_'), 'edge.example.com');
  t.equal(last(doc, 'Short_Name_1_'), '201');
  t.equal(last(doc, 'Station_Name'), 'Front desk');
  t.equal(last(doc, 'Profile_Rule'), '[--uid dt0002fdff2103 --pwd ProvSecret1]https://prov.example.com:8443/$MA.xml');
  t.equal(last(doc, 'Time_Zone'), 'GMT+10:00');
  t.equal(last(doc, 'Resync_Periodic'), '86400', 'the daily re-check');
  t.equal(last(doc, 'Profile_Rule_B'), '', 'the model file is no longer fetched');
  t.equal(last(doc, 'Custom_CA_Rule'), 'http://prov.example.com:8080/ca.crt');
  t.equal(last(doc, 'Daylight_Saving_Time_Rule'), 'start=10/1/7/2:0:0;end=4/1/7/3:0:0;save=1:0:0');
  t.equal(elements(doc, 'Voice_Mail_Number').length, 0, 'no voicemail number, no element');

  const london = parseXml(await render('mac.xml.hbs', { full: true, zone: 'Europe/London', model: 'cisco-8841-3pcc' }));
  t.equal(last(london, 'Time_Zone'), 'GMT', "UTC is Cisco's plain GMT");

  const kolkata = parseXml(await render('mac.xml.hbs', { full: true, zone: 'Asia/Kolkata' }));
  t.equal(last(kolkata, 'Daylight_Saving_Time_Enable'), 'No');
  t.equal(elements(kolkata, 'Daylight_Saving_Time_Rule').length, 0);

  const empty = parseXml(await render('mac.xml.hbs', { full: true, line: false }));
  t.equal(last(empty, 'Line_Enable_1_'), 'No', 'a device without an employee: line off');
  t.equal(elements(empty, 'Password_1_').length, 0);

  const spaModel = parseXml(await render('model.xml.hbs', { model: 'cisco-spa508g' }));
  t.equal(last(spaModel, 'Profile_Rule_B'), 'http://prov.example.com:8080/$MA-key.xml', 'an SPA: on to its key over plain HTTP');
  t.equal(elements(spaModel, 'Custom_CA_Rule').length, 0, 'no CA it could not use');
  const spaBoot = parseXml(await render('mac-bootstrap.xml.hbs', { model: 'cisco-spa508g' }));
  t.equal(last(spaBoot, 'Profile_Rule_B'), 'http://prov.example.com:8080/$MA-key.xml', 'a bootstrap asked for by an SPA: the same');
  const key = parseXml(await render('mac-key.xml.hbs', { model: 'cisco-spa508g', full: true }));
  t.match(last(key, 'Profile_Rule_C'), /^\[--key [0-9a-f]{40}\]http:\/\/prov\.example\.com:8080\/\$MA\.aes$/, 'the key file: the key and the sealed URL');
  const noKey = await render('mac-key-bootstrap.xml.hbs', { model: 'cisco-spa508g' });
  t.notMatch(noKey, /--key|Profile_Rule/, 'without the window: no key, no rule');
  const sealedPlain = parseXml(await render('mac.xml.hbs', { model: 'cisco-spa508g', full: true }));
  t.match(last(sealedPlain, 'Profile_Rule'), /^\[--key [0-9a-f]{40}\]http:\/\/prov\.example\.com:8080\/\$MA\.aes$/, "an SPA's full file keeps it on its sealed file");
  t.equal(elements(sealedPlain, 'Custom_CA_Rule').length, 0);

  for (const text of [full, boot]) {
    for (const admin of ['Admin_Password', 'User_Password', 'Admin_Passwd', 'Web_Login_Admin_Password']) {
      t.notOk(text.includes(`<${admin}`), `never sets ${admin}`);
    }
  }
});
