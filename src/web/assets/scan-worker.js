// The barcode reader for browsers without their own BarcodeDetector: the barcode-detector polyfill
// (zxing-wasm), off the page's thread. Its .wasm comes from Dialtone, not from the CDN it names by
// default; this worker alone may compile WebAssembly (console.ts sends it its own policy).
import { BarcodeDetector, prepareZXingModule } from '/vendor/barcode-detector/ponyfill.js';

prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? '/vendor/zxing_reader.wasm' : prefix + path) } });

let detector;

/** `{formats, image}` (an ImageBitmap, transferred) → `{texts}` of the codes found, or `{error}`. */
self.addEventListener('message', async ({ data: { formats, image } }) => {
  try {
    detector ??= new BarcodeDetector({ formats });
    const codes = await detector.detect(image);
    self.postMessage({ texts: codes.map((c) => c.rawValue) });
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  } finally {
    image.close();
  }
});
