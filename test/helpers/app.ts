import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { createAdminApp } from '../../src/admin/app.js';
import { createAuditLog } from '../../src/admin/audit.js';
import { createTokenCheck, generateToken } from '../../src/admin/auth.js';
import { openapiDocument } from '../../src/admin/openapi.js';
import { createRecords, type Records } from '../../src/admin/records.js';
import { adminRoutes } from '../../src/admin/routes.js';
import type { UsernameConvention } from '../../src/admin/usernames.js';
import { createSealer, hashToken, type Sealer } from '../../src/domain/secrets.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory.js';
import { createProvisioning, type Provisioning } from '../../src/provision/index.js';
import { modelList } from '../../src/vendors/index.js';
import { callApi, type CallOptions, type Reply } from './http.js';

export interface InProcess {
  store: MemoryStore;
  sealer: Sealer;
  provisioning: Provisioning;
  records: Records;
  token: string;
  logs: string[];
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
}

/** The admin app over a memory store, on a real HTTP listener on 127.0.0.1 port 0. */
export async function startApp(t: Test, opts: { models?: string[]; usernames?: UsernameConvention } = {}): Promise<InProcess> {
  const store = new MemoryStore();
  await store.open();
  const token = generateToken();
  const tokenKey = randomBytes(32);
  await store.insertToken({ id: '0b7e8f1c-2d3a-4b5c-8d6e-7f8091a2b3c4', hash: hashToken(tokenKey, token), label: 'test', scope: 'admin', createdAt: new Date().toISOString() });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('trace', sink);
  const models = modelList().filter((m) => opts.models?.includes(m.id));
  const sealer = createSealer(randomBytes(32));
  const records = createRecords({ store, sealer, models: new Set(opts.models), enrollmentSeconds: 3600 });
  const provisioning = await createProvisioning({
    store,
    sealer,
    templatesDir: new URL('../../templates', import.meta.url).pathname,
    trustedNetworks: [],
    publicUrl: () => 'https://prov.example.com:8443/',
    caUrl: () => 'http://prov.example.com:8080/ca.crt',
    caPem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
  });
  let doc: object = {};
  const tokens = createTokenCheck(store, tokenKey);
  const routes = adminRoutes({ store, records, models: () => models, openapi: () => doc, provisioning, tokenKey, tokenUse: (id) => tokens.lastUsed(id), ...(opts.usernames ? { usernames: opts.usernames } : {}) });
  doc = openapiDocument(routes, 'test');
  const server = createServer(createAdminApp({ routes, tokens, audit: createAuditLog(store), logger }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;

  const call: InProcess['call'] = (method, path, o) => callApi(request, { host: '127.0.0.1', port }, token, method, path, o);
  return { store, sealer, provisioning, records, token, logs, call };
}
