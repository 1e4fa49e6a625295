import type { IncomingMessage, ClientRequest } from 'node:http';
import type { RequestOptions } from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface CallOptions {
  body?: unknown;
  raw?: string | Buffer;
  /** Bearer token; `null` sends no Authorization header; default: the helper's admin token. */
  token?: string | null;
  headers?: Record<string, string>;
}

type RequestFn = (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

/** One admin API call: JSON body, bearer token, and the whole reply read back. */
export function callApi(send: RequestFn, base: RequestOptions, defaultToken: string, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers };
    const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (o.body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
    const bearer = o.token === undefined ? defaultToken : o.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const req = send({ ...base, method, path: `/api/v1${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('error', reject);
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${base.timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
