/**
 * The two ways a message leaves: SMTP through nodemailer (STARTTLS when the server offers it,
 * smtps:// for TLS from the start), or, with no SMTP configured, an `.eml` file in the outbox
 * folder. Failures come back as SendFailure with a message cleared of the SMTP credentials.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { SendFailure, type MailJob, type Sender } from './queue.js';
import { writeDurably } from '../durable.js';

/** Removes the credentials of `smtpUrl` (and anything shaped like user:pass@) from `text`. */
export function redactCredentials(text: string, smtpUrl: string | undefined): string {
  let out = text.replace(/(\/\/)[^/@\s]*@/g, '$1[redacted]@');
  if (smtpUrl) {
    let url: URL | undefined;
    try {
      url = new URL(smtpUrl);
    } catch {
      url = undefined;
    }
    for (const secret of [url?.password, url?.username]) {
      if (!secret) continue;
      for (const form of new Set([secret, decodeURIComponent(secret)])) if (form.length >= 3) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

/** SMTP replies 4xx and failures to reach the server are temporary; 5xx replies are not. */
function failure(err: unknown, smtpUrl: string | undefined): SendFailure {
  const e = err as { message?: string; responseCode?: number; code?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
  const text = [e.code, e.message].filter(Boolean).join(': ') || 'could not send the message';
  return new SendFailure(redactCredentials(text, smtpUrl).slice(0, 500), !permanent);
}

const envelope = (job: MailJob, from: string) => ({
  from,
  to: job.message.to,
  subject: job.message.subject,
  text: job.message.text,
  html: job.message.html,
  messageId: job.messageId,
  date: new Date(job.requestedAt),
});

export function smtpSender(smtpUrl: string, from: string): Sender {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } satisfies SMTPTransport.Options);
  return {
    async send(job) {
      try {
        await transport.sendMail(envelope(job, from));
      } catch (err) {
        throw failure(err, smtpUrl);
      }
    },
    close: () => transport.close(),
  };
}

/** Writes each message as `<dir>/<id>.eml` (atomically), for a machine with no mail server. */
export function outboxSender(dir: string, from: string): Sender {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(job) {
      try {
        const info = await transport.sendMail(envelope(job, from));
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeDurably(join(dir, `${job.id}.eml`), info.message as Buffer);
      } catch (err) {
        throw failure(err, undefined);
      }
    },
    close: () => transport.close(),
  };
}
