/**
 * The web console: static pages (plain ES modules, no build step) that the admin listener serves
 * at `/`. They use only the public REST API (/api/v1) from the browser, signed in with the
 * session cookie, so they can do nothing the API would not allow the operator.
 *
 * Every page goes out with a strict Content-Security-Policy: scripts, styles and everything else
 * from this origin only, no inline script or style, no framing. Nothing is fetched from outside.
 * The barcode reader's worker alone may also compile WebAssembly (its own policy, below).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

/** The console's files: src/web/assets, found from src/web (tests) and dist/web (the build) alike. */
export const ASSETS_DIR = fileURLToPath(new URL('../../src/web/assets/', import.meta.url));

/** The QR code encoder (qrcode-generator, no dependencies), served to the label page as an ES module. */
const QRCODE_MODULE = join(dirname(createRequire(import.meta.url).resolve('qrcode-generator')), 'qrcode.mjs');

/**
 * The BarcodeDetector polyfill (barcode-detector, on zxing-wasm) for browsers without their own
 * (Firefox, Safari, Chromium on Linux and Windows), loaded by the Scan button only: its two ES
 * modules and the reader's WebAssembly, which it would otherwise fetch from a CDN. The .wasm is
 * the one barcode-detector depends on (it pins zxing-wasm to the version of its glue code).
 */
const BARCODE_PONYFILL = fileURLToPath(import.meta.resolve('barcode-detector/ponyfill'));
const ZXING_READER_WASM = createRequire(BARCODE_PONYFILL).resolve('zxing-wasm/reader/zxing_reader.wasm');

/** What the console serves from node_modules: its path, the file, the type. */
const VENDOR: [string, string, string][] = [
  ['/vendor/qrcode.mjs', QRCODE_MODULE, 'text/javascript'],
  ['/vendor/barcode-detector/ponyfill.js', BARCODE_PONYFILL, 'text/javascript'],
  ['/vendor/barcode-detector/zxing-exported.js', join(dirname(BARCODE_PONYFILL), 'zxing-exported.js'), 'text/javascript'],
  ['/vendor/zxing_reader.wasm', ZXING_READER_WASM, 'application/wasm'],
];

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  // The barcode scanner shows the camera in a <video> fed from a MediaStream.
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The barcode reader's worker, which runs the polyfill: a worker keeps to the policy sent with its own script. */
const SCAN_WORKER = '/scan-worker.js';

/**
 * The policy of that worker alone: it may compile WebAssembly (the zxing reader, served from here),
 * so the pages keep `script-src 'self'`. 'wasm-unsafe-eval' allows WebAssembly only: eval() and
 * new Function() stay refused there too ('unsafe-eval' is not given).
 */
export const SCAN_WORKER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");

const securityHeaders: RequestHandler = (req, res, next) => {
  res.set({
    'Content-Security-Policy': req.path === SCAN_WORKER ? SCAN_WORKER_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
    // Small files, changed by an upgrade: always revalidated (Last-Modified), never stale.
    'Cache-Control': 'no-cache',
  });
  next();
};

/** The console's pages, for createAdminApp's `pages`: anything under /api/ is left to the API. */
export function consolePages(): RequestHandler {
  const router = express.Router({ caseSensitive: true, strict: true });
  const files = express.static(ASSETS_DIR, { index: 'index.html', etag: false, dotfiles: 'ignore', fallthrough: true, redirect: false });
  router.use((req, res, next) => (req.path.startsWith('/api/') ? next('router') : securityHeaders(req, res, next)));
  for (const [path, file, type] of VENDOR) router.get(path, (_req, res, next) => res.type(type).sendFile(file, (err) => err && next(err)));
  router.use(files);
  return router;
}
