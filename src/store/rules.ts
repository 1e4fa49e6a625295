import type { Device, Employee } from '../domain/types.js';
import { conflict, invalidField } from '../errors.js';

/** Every SIP auth name a device holds: its own (line 1) and its other lines'. */
export const authNamesOf = (d: Device): string[] => [d.credentials.authName, ...(d.lines ?? []).map((l) => l.credentials.authName)];

/**
 * The rules' refusals, one each: the checks below, and the PostgreSQL store when a constraint
 * catches what a check could not see (two instances writing at once), give the same answer.
 */
export const refusal = {
  noSite: (path: string, id: string) => invalidField(path, `no site with id ${id}`),
  noEmployee: (path: string, id: string) => invalidField(path, `no employee with id ${id}`),
  usernameTaken: (username: string | undefined) => conflict('username', `"${username}" is already taken`),
  extensionTaken: (extension: string | undefined) => conflict('extension', `${extension} is already used at this site`),
  /** Auth name `i` of `authNamesOf` (0: line 1's). */
  authNameTaken: (i: number) => conflict(i <= 0 ? 'authName' : `lines.${i - 1}.authName`, 'SIP auth name is already in use'),
};

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
  if (!facts.siteExists) throw refusal.noSite('siteId', e.siteId);
  const numbers = e.numbers ?? [];
  numbers.forEach((number, i) => {
    const owner = facts.routeOwner(number);
    if ((owner !== undefined && owner !== e.id) || numbers.indexOf(number) !== i) throw conflict(`numbers.${i}`, `${number} is already routed to ${owner === e.id || owner === undefined ? 'this employee' : `employee ${owner}`}`);
  });
  if (facts.byName !== undefined && facts.byName !== e.id) throw refusal.usernameTaken(e.username);
  if (facts.byExtension !== undefined && facts.byExtension !== e.id) throw refusal.extensionTaken(e.extension);
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
    if ((owner !== undefined && owner !== d.mac) || names.indexOf(name) !== i) throw refusal.authNameTaken(i);
  });
  if (d.employeeId !== undefined && !facts.employeeExists(d.employeeId)) throw refusal.noEmployee('employeeId', d.employeeId);
  d.lines?.forEach((line, i) => {
    if (!facts.employeeExists(line.employeeId)) throw refusal.noEmployee(`lines.${i}.employeeId`, line.employeeId);
  });
}
