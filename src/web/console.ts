/**
 * The web console: static pages (plain ES modules, no build step) that the admin listener serves
 * at `/`. They use only the public REST API (/api/v1) from the browser, signed in with the
 * session cookie, so they can do nothing the API would not allow the operator.
 *
 * Every page goes out with a strict Content-Security-Policy: scripts, styles and everything else
 * from this origin only, no inline script or style, no framing. Nothing is fetched from outside.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

/** The console's files: src/web/assets, found from src/web (tests) and dist/web (the build) alike. */
export const ASSETS_DIR = fileURLToPath(new URL('../../src/web/assets/', import.meta.url));

/** The QR code encoder (qrcode-generator, no dependencies), served to the label page as an ES module. */
const QRCODE_MODULE = join(dirname(createRequire(import.meta.url).resolve('qrcode-generator')), 'qrcode.mjs');

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

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
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
  router.get('/vendor/qrcode.mjs', (_req, res, next) => res.type('text/javascript').sendFile(QRCODE_MODULE, (err) => err && next(err)));
  router.use(files);
  return router;
}
