import { randomUUID } from 'node:crypto';
import type { Device, Employee, Site } from '../../src/domain/types.js';

const now = (): string => new Date().toISOString();
let seq = 0;

export function site(over: Partial<Site> = {}): Site {
  return {
    id: randomUUID(),
    name: `Site ${++seq}`,
    timeZone: 'America/New_York',
    sip: { registrar: 'sip.example.com', transport: 'udp' },
    createdAt: now(),
    updatedAt: now(),
    ...over,
  };
}

export function employee(siteId: string, over: Partial<Employee> = {}): Employee {
  const n = ++seq;
  return {
    id: randomUUID(),
    siteId,
    firstName: 'Ada',
    lastName: `Lovelace${n}`,
    username: `ada.${n}`,
    voicemailToEmail: false,
    extension: String(1000 + n),
    timeZone: 'America/New_York',
    authorizedUser: false,
    createdAt: now(),
    updatedAt: now(),
    ...over,
  };
}

export function device(over: Partial<Device> = {}): Device {
  const n = ++seq;
  const mac = `0015650${n.toString(16).padStart(5, '0')}`;
  return {
    mac,
    model: 'generic',
    credentials: {
      authName: `auth${n}`,
      passwordSealed: 'v1.sealed',
      provisioningUsername: `dt${mac}`,
      provisioningPasswordSealed: 'v1.sealed',
    },
    createdAt: now(),
    updatedAt: now(),
    ...over,
  };
}
