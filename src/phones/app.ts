import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every miss gets exactly this: same status, same headers, same bytes. */
const MISS_BODY = Buffer.from('Not Found\n');

export interface PhonesAppDeps {
  /** The Dialtone CA (PEM), served at /ca.crt so phones and technicians can install it. */
  caCert: string;
}

/**
 * The request handler behind the provisioning HTTPS and HTTP listeners. For now it serves the
 * CA certificate; vendor files come with the provisioning resolver.
 */
export function createPhonesHandler({ caCert }: PhonesAppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const ca = Buffer.from(caCert);
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/ca.crt') {
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Content-Length': ca.length });
      res.end(req.method === 'HEAD' ? undefined : ca);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': MISS_BODY.length });
    res.end(req.method === 'HEAD' ? undefined : MISS_BODY);
  };
}
