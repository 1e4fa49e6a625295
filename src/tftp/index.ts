/** The TFTP transport: a read-only server that hands every read request to a file lookup. */
export { createTftpServer, DEFAULT_LIMITS, type TftpLimits, type TftpOptions, type TftpServer } from './server.js';
export { resolverLookup } from './lookup.js';
