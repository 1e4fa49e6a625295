/**
 * Welcome emails: rendered from templates/mail/ when asked for (employee create or PATCH with
 * `sendWelcomeEmail`, or POST /employees/{id}/welcome-email) and handed to the outbox queue. The
 * content is the employee's name, username, extension, direct number, site and voicemail access;
 * never a password or PIN (the templates are given nothing else).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { directNumber, type Employee } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { jobId, type MailJob, type MailQueue, type MailMessage } from './queue.js';

export interface WelcomeEmailView {
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError?: string;
  sentAt?: string;
  requestedAt: string;
}

/**
 * Instances sharing a database (store/shared-postgres.ts): which one sends each message, and what
 * became of it, whichever instance is asked. Without one, this process's outbox is the whole truth.
 */
export interface MailLedger {
  /** Whether this instance is the one to queue and send the message (the first to ask, or in place of one gone before queuing it). */
  take(job: Pick<MailJob, 'id' | 'employeeId' | 'requestedAt'>): Promise<boolean>;
  /** The messages as their senders last recorded them, by id; one not in an outbox yet is left out. */
  read(ids: string[]): Promise<Map<string, Pick<MailJob, 'status' | 'attempts' | 'lastError' | 'sentAt'>>>;
  /** Recorded by the sender at each change (MailQueue's onChange), in order. */
  write(job: MailJob): void;
}

export interface WelcomeMail {
  /** Queues the employee's pending welcome email, once per request (once for all instances with a ledger); whether it queued it. */
  request(employee: Employee): Promise<boolean>;
  /** What became of each employee's latest welcome email (one read of the ledger for a whole page). */
  statuses(employees: readonly Employee[]): Promise<Array<WelcomeEmailView | undefined>>;
  /** Queues what was asked for but not yet queued (a stop between the store write and the queue's). */
  recover(): Promise<number>;
}

type Render = (context: Record<string, unknown>) => string;

export async function loadWelcomeTemplates(templatesDir: string): Promise<{ subject: Render; text: Render; html: Render }> {
  const read = (name: string) => readFile(join(templatesDir, 'mail', name), 'utf8');
  const [subject, text, html] = await Promise.all([read('welcome.subject.hbs'), read('welcome.txt.hbs'), read('welcome.html.hbs')]);
  const opts = { strict: false, knownHelpersOnly: true } as const;
  return {
    subject: Handlebars.compile(subject.trim(), { ...opts, noEscape: true }),
    text: Handlebars.compile(text, { ...opts, noEscape: true }),
    // HTML escaping on: no field can add markup.
    html: Handlebars.compile(html, opts),
  };
}

export function createWelcomeMail(deps: { store: Store; queue: MailQueue; templatesDir: string; from: string; ledger?: MailLedger }): WelcomeMail {
  const templates = loadWelcomeTemplates(deps.templatesDir);
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? 'dialtone';

  async function render(employee: Employee): Promise<MailMessage> {
    const t = await templates;
    const site = await deps.store.getSite(employee.siteId);
    const context = {
      firstName: employee.firstName,
      lastName: employee.lastName,
      username: employee.username,
      extension: employee.extension,
      phoneNumber: directNumber(employee),
      siteName: site?.name,
      voicemailNumber: site?.voicemailNumber,
    };
    return { to: employee.email ?? '', subject: t.subject(context).replace(/[\r\n]+/g, ' '), text: t.text(context), html: t.html(context) };
  }

  const wanted = (employee: Employee): employee is Employee & { welcomeEmail: NonNullable<Employee['welcomeEmail']> } =>
    employee.welcomeEmail !== undefined && employee.email !== undefined;

  const service: WelcomeMail = {
    async request(employee) {
      if (!wanted(employee) || employee.welcomeEmail.status !== 'pending') return false;
      const { requestedAt } = employee.welcomeEmail;
      const id = jobId(employee.id, requestedAt);
      if (deps.queue.get(id)) return false;
      if (deps.ledger && !(await deps.ledger.take({ id, employeeId: employee.id, requestedAt }))) return false; // another instance sends it
      await deps.queue.enqueue({ employeeId: employee.id, requestedAt, message: await render(employee), domain });
      return true;
    },
    async statuses(employees) {
      const ids = employees.map((e) => e.welcomeEmail && jobId(e.id, e.welcomeEmail.requestedAt));
      // Another instance's messages: what its outbox recorded in the ledger.
      const elsewhere = ids.filter((id): id is string => id !== undefined && !deps.queue.get(id));
      const recorded = deps.ledger && elsewhere.length > 0 ? await deps.ledger.read(elsewhere) : new Map<string, never>();
      return employees.map((employee, i) => {
        const id = ids[i];
        if (!employee.welcomeEmail || id === undefined) return undefined;
        const { requestedAt } = employee.welcomeEmail;
        const job = deps.queue.get(id) ?? recorded.get(id);
        if (!job) return { status: 'queued', attempts: 0, requestedAt };
        return { status: job.status, attempts: job.attempts, requestedAt, ...(job.lastError ? { lastError: job.lastError } : {}), ...(job.sentAt ? { sentAt: job.sentAt } : {}) };
      });
    },
    async recover() {
      let queued = 0;
      for (const employee of await deps.store.listEmployees()) if (await service.request(employee)) queued++;
      return queued;
    },
  };
  return service;
}
