/**
 * Dialtone's TFTP server as its own process for the benchmark (in.tftpd runs as its own too):
 * serves every file of the folder in argv[2] from memory, the way the resolver serves rendered
 * files from its cache, and prints the bound port.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTftpServer } from '../../../src/tftp/index.js';

const dir = process.argv[2] as string;
const files = new Map<string, Buffer>();
for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
// 50 concurrent transfers come from one address here; the default allows 32 per address.
const server = await createTftpServer({ host: '127.0.0.1', port: 0, limits: { maxPerAddress: 256 }, handle: async ({ file }) => files.get(file) ?? null });
process.stdout.write(`${server.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
