import type { Device, Employee } from '../domain/types.js';
import { conflict, invalidField } from '../errors.js';

/** Every SIP auth name a device holds: its own (line 1) and its other lines'. */
export const authNamesOf = (d: Device): string[] => [d.credentials.authName, ...(d.lines ?? []).map((l) => l.credentials.authName)];

/** What the rules need to know of the stored records about one employee (each backend looks it up its own way). */
export interface EmployeeFacts {
  siteExists: boolean;
  /** The employee a number is routed to, if any. */
  routeOwner(number: string): string | undefined;
  /** The employees holding the username (in any case) and the extension at the site, if any. */
  byName: string | undefined;
  byExtension: string | undefined;
}

/** The employee rules of the Store (see store.ts), in the order every backend reports them. */
export function checkEmployee(e: Employee, facts: EmployeeFacts): void {
  if (!facts.siteExists) throw invalidField('siteId', `no site with id ${e.siteId}`);
  const numbers = e.numbers ?? [];
  numbers.forEach((number, i) => {
    const owner = facts.routeOwner(number);
    if ((owner !== undefined && owner !== e.id) || numbers.indexOf(number) !== i) throw conflict(`numbers.${i}`, `${number} is already routed to ${owner === e.id || owner === undefined ? 'this employee' : `employee ${owner}`}`);
  });
  if (facts.byName !== undefined && facts.byName !== e.id) throw conflict('username', `"${e.username}" is already taken`);
  if (facts.byExtension !== undefined && facts.byExtension !== e.id) throw conflict('extension', `${e.extension} is already used at this site`);
}

/** What the rules need to know of the stored records about one device. */
export interface DeviceFacts {
  /** The device (MAC) holding a SIP auth name, if any. */
  authNameOwner(name: string): string | undefined;
  employeeExists(id: string): boolean;
}

/** The device rules of the Store (see store.ts), in the order every backend reports them. */
export function checkDevice(d: Device, facts: DeviceFacts): void {
  const names = authNamesOf(d);
  names.forEach((name, i) => {
    const owner = facts.authNameOwner(name);
    if ((owner !== undefined && owner !== d.mac) || names.indexOf(name) !== i) throw conflict(i === 0 ? 'authName' : `lines.${i - 1}.authName`, 'SIP auth name is already in use');
  });
  if (d.employeeId !== undefined && !facts.employeeExists(d.employeeId)) throw invalidField('employeeId', `no employee with id ${d.employeeId}`);
  d.lines?.forEach((line, i) => {
    if (!facts.employeeExists(line.employeeId)) throw invalidField(`lines.${i}.employeeId`, `no employee with id ${line.employeeId}`);
  });
}
