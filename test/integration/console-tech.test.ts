/**
 * The technician's view in Chromium, beyond console.test.ts: scanning with Chromium's fake camera
 * (a .y4m video made here, showing a QR code of a label's link, then a Code 128 of a MAC), the
 * label's QR code decoded and followed, and the whole timeline behind "Show more". Chromium on
 * Linux has no BarcodeDetector of its own, so the scans go through the polyfill (zxing-wasm) that
 * Dialtone serves. Skipped, naming chromium, where Chromium is not installed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import qrcode from 'qrcode-generator';
import t from 'tap';
import { consoleOrSkip, type Console } from '../helpers/console.js';
import { eventually } from '../helpers/eventually.js';

const TECH_PASSWORD = 'staple of the field';
const [WIDTH, HEIGHT] = [640, 480];

/** Two frames of a 4:2:0 .y4m video in grey: black where `dark(x, y)`, white elsewhere (Chromium loops it). */
function y4m(dark: (x: number, y: number) => boolean): Buffer {
  const luma = Buffer.alloc(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) luma[y * WIDTH + x] = dark(x, y) ? 16 : 235;
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, Buffer.alloc(WIDTH * HEIGHT / 2, 128)]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]);
}

/** A QR code of `text` filling most of the picture. */
function qrVideo(text: string): Buffer {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const scale = Math.floor((HEIGHT * 0.8) / n);
  const [left, top] = [Math.floor((WIDTH - n * scale) / 2), Math.floor((HEIGHT - n * scale) / 2)];
  return y4m((x, y) => {
    const [row, col] = [Math.floor((y - top) / scale), Math.floor((x - left) / scale)];
    return row >= 0 && row < n && col >= 0 && col < n && qr.isDark(row, col);
  });
}

/** Code 128's bar and space widths for each symbol value, 0 to 106 (the stop symbol, with its final bar). */
const CODE128 = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 ' +
  '221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 ' +
  '231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 ' +
  '314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 ' +
  '111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 ' +
  '114131 311141 411131 211412 211214 211232 2331112'
).split(' ');

/** A Code 128 (code set B) of `text`, as a phone's MAC sticker has: a band across the middle. */
function code128Video(text: string): Buffer {
  const values = [104, ...[...text].map((ch) => ch.charCodeAt(0) - 32)];
  values.push(values.reduce((sum, v, i) => sum + v * Math.max(i, 1), 0) % 103, 106);
  const bars: boolean[] = [];
  for (const v of values) [...CODE128[v]!].forEach((w, i) => bars.push(...Array<boolean>(Number(w)).fill(i % 2 === 0)));
  const scale = Math.floor((WIDTH * 0.9) / bars.length);
  const left = Math.floor((WIDTH - bars.length * scale) / 2);
  return y4m((x, y) => y >= 140 && y < 340 && bars[Math.floor((x - left) / scale)] === true);
}

// Chromium's fake camera plays this file; each scan opens it anew, so a test writes what it shows next.
const cameraDir = mkdtempSync(join(tmpdir(), 'dialtone-camera-'));
t.teardown(() => rmSync(cameraDir, { recursive: true, force: true }));
const camera = join(cameraDir, 'camera.y4m');
writeFileSync(camera, y4m(() => false));
const c = await consoleOrSkip(t, 'the technician view: scanning, the label, the timeline', {}, [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${camera}`,
]);
if (c) await run(c);

async function run({ server, base, open, signIn }: Console): Promise<void> {
  await server.ok('POST', '/operators', { name: 'tess', password: TECH_PASSWORD, scope: 'technician' });
  for (const mac of ['805ec0000001', '805ec0000002', '805ec0000003']) await server.ok('POST', '/devices', { mac, model: 'yealink-t46s' });

  const tech = await open({ width: 360, height: 740 });
  const { page } = tech;
  // Every request of the page and its worker: none may leave this console (for the polyfill's CDN).
  const requested: string[] = [];
  tech.context.on('request', (r) => requested.push(r.url()));
  await page.goto(`${base}/`);
  await signIn(page, 'tess', TECH_PASSWORD);
  await page.getByRole('heading', { name: 'Find a device' }).waitFor();

  await t.test("the camera sees a label's QR code: Scan opens that device, with the reader served here", async (t) => {
    writeFileSync(camera, qrVideo(`${base}/#/tech/805ec0000002`));
    t.equal(await page.evaluate(() => 'BarcodeDetector' in window), false, 'this Chromium has no BarcodeDetector: the polyfill reads');
    await page.getByRole('button', { name: 'Scan barcode' }).click();
    await t.resolves(page.getByRole('heading', { name: '80:5E:C0:00:00:02' }).waitFor({ timeout: 20_000 }), 'the device opened');
    t.ok(requested.includes(`${base}/vendor/zxing_reader.wasm`), "the reader's WebAssembly came from the console");
    t.same(
      requested.filter((url) => !url.startsWith(`${base}/`)),
      [],
      'nothing requested elsewhere',
    );
    const headers = async (path: string) => (await page.request.get(`${base}${path}`)).headers();
    t.match((await headers('/'))['content-security-policy'], /script-src 'self';/, 'the pages may not compile WebAssembly');
    t.match((await headers('/scan-worker.js'))['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval';/, "the reader's worker may");
    t.equal((await headers('/vendor/zxing_reader.wasm'))['content-type'], 'application/wasm', 'the .wasm with its type (compiled as it streams in)');
  });

  await t.test("the camera sees a phone's MAC sticker (Code 128): Scan finds it and opens the device", async (t) => {
    writeFileSync(camera, code128Video('805EC0000003'));
    await page.getByRole('link', { name: 'Find another' }).click();
    await page.getByRole('button', { name: 'Scan barcode' }).click();
    await t.resolves(page.getByRole('heading', { name: '80:5E:C0:00:00:03' }).waitFor({ timeout: 20_000 }), 'the device opened');
  });

  await t.test("replacing a handset: the new one's scanned MAC fills the field, and the camera is let go", async (t) => {
    writeFileSync(camera, code128Video('80-5E-C0-00-00-04'));
    const replace = page.getByRole('form', { name: 'Replace handset' });
    await replace.getByRole('button', { name: 'Scan barcode' }).click();
    t.ok(await eventually(async () => (await replace.getByLabel('New MAC address').inputValue()) === '80:5E:C0:00:00:04', 20_000), 'the field filled');
    t.same(await replace.locator('video').evaluate((v: HTMLVideoElement) => ({ hidden: v.hidden, stream: v.srcObject })), { hidden: true, stream: null }, 'the camera off');
    t.ok(await replace.getByRole('button', { name: 'Scan barcode' }).isVisible(), 'ready to scan again');
    t.equal((await server.api('GET', '/devices/805ec0000004')).status, 404, 'nothing replaced before the technician says so');
  });

  await t.test("the label's QR code, decoded, is the device's technician link, which opens it", async (t) => {
    await page.goto(`${base}/#/label/805ec0000001`);
    const qr = page.getByRole('img', { name: /^QR code opening/ });
    const png = (await qr.screenshot()).toString('base64');
    // Read by the console's own reader (the polyfill, in its worker), from the picture alone.
    const texts = await page.evaluate(async (png) => {
      const tech = '/tech.js';
      const { barcodeReader } = await import(tech);
      const reader = await barcodeReader();
      try {
        return await reader.detect(new Blob([Uint8Array.from(atob(png), (ch) => ch.charCodeAt(0))], { type: 'image/png' }));
      } finally {
        reader.close();
      }
    }, png);
    t.same(texts, [`${base}/#/tech/805ec0000001`], 'the technician link of that device');
    await page.goto(texts[0]);
    await t.resolves(page.getByRole('heading', { name: '80:5E:C0:00:00:01' }).waitFor(), 'which opens it');
  });

  await t.test('the timeline: the newest 50 first, then the older ones behind Show more, by keyboard', async (t) => {
    // A phone looping on its two common files: each request a new event (a repeat would only count).
    const fetches = 120;
    const statuses = new Set<number>();
    for (let i = 0; i < fetches; i++) statuses.add(await phoneFetch(server, i % 2 === 0 ? 'y000000000000.boot' : 'y000000000066.cfg'));
    t.same([...statuses], [200], 'each served');
    const events: { at: string; file: string }[] = await server.ok('GET', '/devices/805ec0000001/events');
    t.ok(events.length >= fetches, `the API has them all (${events.length})`);
    const newestFirst = [...events].reverse().map((e) => `${e.at} ${e.file}`);

    await page.getByRole('link', { name: 'Find another' }).click();
    await page.getByLabel('MAC address').fill('805ec0000001');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: '80:5E:C0:00:00:01' }).waitFor();
    const items = page.locator('ol.timeline > li');
    const shown = () => items.evaluateAll((lis) => lis.map((li) => `${li.querySelector('time')?.getAttribute('datetime')} ${li.querySelector('strong')?.textContent?.replace(/^\d+ /, '')}`));
    t.same(await shown(), newestFirst.slice(0, 50), 'the newest 50, newest first');
    const more = page.getByRole('button', { name: /^Show more/ });
    t.equal(await more.textContent(), `Show more (${events.length - 50} older)`, 'saying how many are left');

    await more.focus();
    await page.keyboard.press('Enter');
    t.ok(await eventually(async () => (await items.count()) === 100), 'Enter shows 50 more');
    t.same(await shown(), newestFirst.slice(0, 100), 'older ones below, in order');
    t.equal(await page.evaluate(() => [...document.querySelectorAll('ol.timeline > li')].indexOf(document.activeElement as HTMLLIElement)), 50, 'the focus on the first one shown');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.textContent), `Show more (${events.length - 100} older)`, 'Tab reaches Show more again');
    await page.keyboard.press(' ');
    t.ok(await eventually(async () => (await items.count()) === events.length), 'Space shows the rest');
    t.same(await shown(), newestFirst, 'the whole timeline');
    t.equal(await more.isVisible(), false, 'nothing more to show');
    t.equal(await page.locator('ol.timeline').getAttribute('start'), String(events.length), 'numbered from the newest down');
  });

  t.same(tech.problems, [], 'no CSP violation or page error');
}

/** A Yealink with the MAC 80:5e:c0:00:00:01 fetching `file` over HTTPS: its status. */
function phoneFetch(server: Console['server'], file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.ports.https, path: `/${file}`, ca: server.ca, servername: 'localhost', headers: { 'user-agent': 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:01' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
