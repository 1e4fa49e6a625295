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
import { jobId, type MailQueue, type MailMessage } from './queue.js';

export interface WelcomeEmailView {
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError?: string;
  sentAt?: string;
  requestedAt: string;
}

export interface WelcomeMail {
  /** Queues the employee's pending welcome email, once per request. */
  request(employee: Employee): Promise<void>;
  /** What became of the employee's latest welcome email. */
  status(employee: Employee): WelcomeEmailView | undefined;
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

export function createWelcomeMail(deps: { store: Store; queue: MailQueue; templatesDir: string; from: string }): WelcomeMail {
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
      if (!wanted(employee) || employee.welcomeEmail.status !== 'pending') return;
      const { requestedAt } = employee.welcomeEmail;
      if (deps.queue.get(jobId(employee.id, requestedAt))) return;
      await deps.queue.enqueue({ employeeId: employee.id, requestedAt, message: await render(employee), domain });
    },
    status(employee) {
      if (!employee.welcomeEmail) return undefined;
      const { requestedAt } = employee.welcomeEmail;
      const job = deps.queue.get(jobId(employee.id, requestedAt));
      if (!job) return { status: 'queued', attempts: 0, requestedAt };
      return { status: job.status, attempts: job.attempts, requestedAt, ...(job.lastError ? { lastError: job.lastError } : {}), ...(job.sentAt ? { sentAt: job.sentAt } : {}) };
    },
    async recover() {
      let queued = 0;
      for (const employee of await deps.store.listEmployees()) {
        if (!wanted(employee) || employee.welcomeEmail.status !== 'pending' || deps.queue.get(jobId(employee.id, employee.welcomeEmail.requestedAt))) continue;
        await service.request(employee);
        queued++;
      }
      return queued;
    },
  };
  return service;
}
