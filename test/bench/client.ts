/** A minimal admin API client over one keep-alive HTTPS agent. */
import { Agent, request } from 'node:https';
import { callApi, type Reply } from '../helpers/http.js';
import { TOKEN } from './server.js';

export type { Reply };

const TIMEOUT_MS = 30_000;

export class Client {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    ca: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, ca });
  }

  call(method: string, path: string, body?: unknown): Promise<Reply> {
    const base = { host: '127.0.0.1', port: this.port, servername: 'localhost', agent: this.agent, timeout: TIMEOUT_MS };
    return callApi(request, base, TOKEN, method, path, { body });
  }

  close(): void {
    this.agent.destroy();
  }
}
