/**
 * A Fanvil X5U-V2 in an office, read back as the phone reads its sysConf `<mac>.cfg` (facts §7):
 * accounts `<sip><line index>`, keys `<dsskey>` side keys first then the DSS pages, the directory
 * `<phone><xmlContact index="1"><Addr>`, raw settings by element path. Parsed with @xmldom, strictly.
 */
import type { Test } from 'tap';
import type { Document, Element } from '@xmldom/xmldom';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { accounts, cases, childText, childrenNamed } from '../cases/fanvil.js';
import { parseXml } from '../xml.js';

const boot = cases.find((c) => c.model === 'fanvil-x5u');
if (!boot) throw new Error('no Fanvil X5U case');

const byIndex = (a: Element, b: Element): number => Number(a.getAttribute('index')) - Number(b.getAttribute('index'));

/** The `Fkey`s of a device file in Dialtone's order: `<dssSide>` pages, then `<internal>` pages, each key by index. */
export function fkeys(doc: Document): Element[] {
  const dsskey = childrenNamed(doc.documentElement as Element, 'dsskey').at(-1);
  if (!dsskey) return [];
  const pages = [...childrenNamed(dsskey, 'dssSide').sort(byIndex), ...childrenNamed(dsskey, 'internal').sort(byIndex)];
  return pages.flatMap((page) => childrenNamed(page, 'Fkey').sort(byIndex));
}

const MEMORY: Record<string, OfficeKey['type']> = { ba: 'blf', f: 'speedDial', c: 'park' };

/** A key as Dialtone would say it, or undefined for an unset one (Type 0). */
function keyOf(fkey: Element, voicemail: string | undefined): OfficeKey | undefined {
  const type = childText(fkey, 'Type');
  const value = childText(fkey, 'Value') ?? '';
  const title = childText(fkey, 'Title');
  const label = title ? { label: title } : {};
  if (type === '0') return undefined;
  if (type === '2') return { type: 'line', value: /^SIP(\d+)$/.exec(value)?.[1] ?? `?${value}`, ...label };
  if (type === '3' && value === 'F_MWI') return { type: 'voicemail', ...(voicemail ? { value: voicemail } : {}), ...label };
  const memory = /^(.*)@(\d+)\/([a-z]+)$/.exec(value);
  const kind = memory && MEMORY[memory[3] as string];
  if (type === '1' && memory && kind) return { type: kind, value: memory[1] as string, ...label };
  throw new Error(`a key Dialtone does not write: Type ${type}, Value ${value}`);
}

/** A raw key's value: the element path below `<sysConf>`, digits naming the index of the element before them; the last of equals wins. */
export function rawValue(doc: Document, key: string): string | undefined {
  let at: Element | undefined = doc.documentElement ?? undefined;
  const parts = key.split('.');
  for (let i = 0; at && i < parts.length; i++) {
    const name = parts[i] as string;
    const index = /^\d+$/.test(parts[i + 1] ?? '') ? parts[++i] : undefined;
    at = childrenNamed(at, name).filter((e) => (e.getAttribute('index') || undefined) === index).at(-1);
  }
  return at && Array.from(at.childNodes).every((n) => n.nodeType !== 1) ? (at.textContent ?? '') : undefined;
}

export function readOffice(t: Test, files: Record<string, string>): OfficeFacts {
  const file = boot?.deviceFiles[0] as string;
  const text = files[file];
  if (text === undefined) throw new Error(`no ${file}`);
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'sysConf', `${file}: root`);
  const on = accounts(doc).filter((l) => childText(l, 'EnableReg') === '1');
  const voicemail = childText(on.find((l) => l.getAttribute('index') === '1'), 'MWINum') || undefined;
  const keys = fkeys(doc).flatMap((k) => keyOf(k, voicemail) ?? []);
  const lines: OfficeLine[] = on.sort(byIndex).map((l) => {
    const index = Number(l.getAttribute('index'));
    // A Fanvil account has no label of its own: the phone shows its line key's title, else the display name.
    const title = keys.find((k) => k.type === 'line' && k.value === String(index))?.label;
    const fields = { user: 'PhoneNumber', authName: 'RegisterUser', password: 'RegisterPswd', registrar: 'RegisterAddr' } as const;
    const read = Object.fromEntries(Object.entries(fields).flatMap(([k, tag]) => (childText(l, tag) !== undefined ? [[k, childText(l, tag)]] : [])));
    return { index, ...read, label: title ?? childText(l, 'DisplayName') };
  });
  const phone = childrenNamed(doc.documentElement as Element, 'phone').at(-1);
  const contact = phone && childrenNamed(phone, 'xmlContact').find((c) => c.getAttribute('index') === '1');
  const directoryUrl = childText(contact, 'Addr') || undefined;
  return { lines, keys, ...(directoryUrl ? { directoryUrl } : {}), raw: (key) => rawValue(doc, key) };
}

export function readPhonebook(t: Test, text: string): OfficeEntry[] {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'FanvilIPPhoneDirectory', 'phonebook root');
  return childrenNamed(doc.documentElement as Element, 'DirectoryEntry').map((e) => {
    const phoneNumber = childText(e, 'Other');
    return { name: childText(e, 'Name') ?? '', extension: childText(e, 'Telephone') ?? '', ...(phoneNumber ? { phoneNumber } : {}) };
  });
}

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac}-phonebook.xml`,
  read: readOffice,
  readDirectory: readPhonebook,
  rawKey: 'sip.line.1.RegisterTTL',
};
