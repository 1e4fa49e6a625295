// The technician's view, made for a phone's screen: find a device by typed or scanned MAC, see
// its state and timeline, reprovision, resync, swap its handset; and its printable label.
import { ApiError, api, parseMac, showMac } from './api.js';
import { field, form, h, page, say, when } from './ui.js';

/** What each timeline reason means, in the technician's words. */
const REASONS = {
  in_window: 'served: enrollment window open',
  authenticated: 'served: the phone gave its credentials',
  sealed: 'served sealed (encrypted for this phone)',
  certificate: 'served: the phone showed its factory certificate',
  bootstrap: 'bootstrap file (no secrets): the phone is pointed to HTTPS',
  public: 'a file without secrets',
  not_modified: 'not modified since its last fetch',
  window_closed: 'refused: enrollment window closed (reprovision to open one)',
  window_claimed: 'refused: another client claimed the window first',
  outside_networks: "refused: the client is outside the site's networks",
  certificate_required: 'refused: a device certificate is required',
  certificate_refused: 'refused: its certificate was not accepted',
  bad_credentials: 'refused: wrong provisioning credentials',
  stale_nonce: 'asked again for credentials (stale nonce)',
  unknown_device: 'unknown device',
  banned: 'refused: the address is banned',
  unknown_file: 'no such file for this phone',
  confidential_only: 'refused: secrets only over TLS',
  near_miss: 'a near miss (wrong case or vendor)',
  tls_failed: 'TLS handshake failed (the phone does not trust the Dialtone CA?)',
};
const STATES = { in_sync: 'In sync: the phone holds its latest configuration', pending: 'Pending: the phone has not fetched its latest configuration yet', never_fetched: 'Never fetched: the phone has not fetched a full configuration' };

/** A MAC found in what a barcode says: a MAC in any notation, or our own label's link. */
export function macIn(text) {
  const link = /#\/tech\/([0-9a-f]{12})\b/i.exec(text);
  if (link) return link[1].toLowerCase();
  const m = /(?:[0-9a-f]{2}[:-]?){5}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}/i.exec(text);
  return m ? parseMac(m[0]) : undefined;
}

/** What a MAC's label may carry: mostly Code 128; our own label's QR code holds the technician link. */
const FORMATS = ['code_128', 'code_39', 'ean_13', 'qr_code', 'data_matrix'];

/**
 * A barcode reader: the browser's BarcodeDetector where it reads these formats (Chrome on Android
 * and macOS), else the polyfill in a worker (scan-worker.js, zxing-wasm), loaded on first use.
 * `detect(source)` takes what createImageBitmap takes (a <video>, a Blob...) and gives the texts found.
 */
export async function barcodeReader() {
  if ('BarcodeDetector' in window) {
    const formats = (await window.BarcodeDetector.getSupportedFormats()).filter((f) => FORMATS.includes(f));
    if (formats.length) {
      const detector = new window.BarcodeDetector({ formats });
      return { detect: async (source) => (await detector.detect(source)).map((c) => c.rawValue), close: () => undefined };
    }
  }
  const worker = new Worker('/scan-worker.js', { type: 'module' });
  let pending; // the one detect() under way
  let failed; // why the worker could not start
  const settle = (how, value) => {
    const p = pending;
    pending = undefined;
    p?.[how](value);
  };
  worker.onmessage = ({ data }) => (data.error ? settle('reject', new Error(data.error)) : settle('resolve', data.texts));
  worker.onerror = (event) => settle('reject', (failed = new Error(event.message || 'the barcode reader did not start')));
  return {
    detect: async (source) => {
      if (failed) throw failed;
      const image = await createImageBitmap(source);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage({ formats: FORMATS, image }, [image]);
      });
    },
    close: () => {
      worker.terminate();
      settle('resolve', []);
    },
  };
}

/**
 * A Scan button wherever the browser gives the camera (with its own BarcodeDetector or the
 * polyfill); it fills `input` with the MAC read from the camera, a MAC or our label's link.
 */
function scanner(input, onFound) {
  if (!navigator.mediaDevices?.getUserMedia) return '';
  const video = h('video', { class: 'scan', playsinline: true, muted: true, hidden: true, 'aria-label': 'Camera view' });
  const button = h('button', { type: 'button', class: 'secondary' }, 'Scan barcode');
  let current; // the scan under way: {stream, reader}
  const release = (scan) => {
    scan.stream?.getTracks().forEach((t) => t.stop());
    scan.reader?.close();
  };
  const stop = () => {
    if (current) release(current);
    current = undefined;
    video.hidden = true;
    video.srcObject = null;
    button.textContent = 'Scan barcode';
  };
  button.addEventListener('click', async () => {
    if (current) return stop();
    const scan = (current = {});
    button.textContent = 'Stop scanning';
    // Whether this scan still runs; one stopped while it waited lets go of what it got meanwhile.
    const live = () => scan === current || void release(scan);
    try {
      scan.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      if (!live()) return;
      video.srcObject = scan.stream;
      video.hidden = false;
      scan.reader = await barcodeReader();
      if (!live()) return;
      await video.play();
      const until = Date.now() + 60_000;
      // Until found, stopped, timed out, or the page left (the camera is then let go).
      while (live() && button.isConnected && Date.now() < until) {
        for (const text of await scan.reader.detect(video)) {
          const mac = macIn(text);
          if (mac) {
            stop();
            input.value = showMac(mac);
            say(`Scanned ${showMac(mac)}`);
            return onFound(mac);
          }
        }
        await new Promise((r) => requestAnimationFrame(r));
      }
      if (scan === current) stop();
    } catch (err) {
      if (!live()) return;
      stop();
      say(`Cannot scan: ${err.message}`);
    }
  });
  return h('div', { class: 'scanner' }, button, video);
}

/** `#/tech`: find a device by its MAC. */
export function findView() {
  const f = form({
    label: 'Find a device',
    fields: [field({ name: 'mac', label: 'MAC address', required: true, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', hint: 'As printed on the phone, with or without separators' })],
    submit: 'Find',
    action: async (v) => {
      const mac = parseMac(v.mac ?? '');
      if (!mac) throw new ApiError(400, { title: 'Invalid input', detail: 'not a MAC address', errors: [{ path: 'mac', message: 'must be 12 hex digits, with or without ":", "-" or "." separators' }] });
      await api('GET', `/devices/${mac}`).catch((err) => {
        throw err.status === 404 ? new ApiError(404, { title: 'Not found', detail: 'no such device', errors: [{ path: 'mac', message: `no device with MAC ${showMac(mac)}` }] }) : err;
      });
      location.hash = `#/tech/${mac}`;
    },
  });
  const input = f.elements.namedItem('mac');
  f.querySelector('.actions').append(scanner(input, () => f.requestSubmit()));
  page('Find a device', f);
}

/** `#/tech/<mac>`: the device's state, timeline and the technician's actions. */
export async function deviceView(mac, session) {
  const here = location.hash;
  const [device, events, resyncs] = await Promise.all([api('GET', `/devices/${mac}`), api('GET', `/devices/${mac}/events`), api('GET', `/devices/${mac}/resyncs`)]);
  const employee = device.employeeId ? await api('GET', `/employees/${device.employeeId}`).catch(() => undefined) : undefined;
  const canAct = session.scope !== 'readonly';
  const state = device.config?.state ?? 'never_fetched';
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'State'),
    h('dd', { class: `state ${state}`, 'data-state': state }, STATES[state] ?? state),
    h('dt', {}, 'Model'),
    h('dd', {}, device.model),
    device.label ? [h('dt', {}, 'Label'), h('dd', {}, device.label)] : '',
    employee ? [h('dt', {}, 'Employee'), h('dd', {}, `${employee.firstName} ${employee.lastName} (${employee.extension})`)] : '',
    h('dt', {}, 'Enrollment window'),
    h('dd', {}, device.enrollmentUntil && device.enrollmentUntil > new Date().toISOString() ? `open until ${when(device.enrollmentUntil)}` : 'closed'),
    h('dt', {}, 'Last seen'),
    h('dd', {}, device.lastSeen ? `${when(device.lastSeen.at)} over ${device.lastSeen.protocol} from ${device.lastSeen.address}${device.lastSeen.firmware ? `, firmware ${device.lastSeen.firmware}` : ''}` : 'never'),
  );

  const resyncState = h('p', { class: 'resync-state', 'aria-live': 'polite' }, resyncs.length ? `Last resync: ${resyncs.at(-1).state}` : '');
  const actions = canAct
    ? h(
        'section',
        { 'aria-labelledby': 'actions-h', class: 'actions-panel' },
        h('h2', { id: 'actions-h' }, 'Actions'),
        form({
          label: 'Reprovision',
          fields: [],
          submit: 'Reprovision',
          action: async () => {
            const d = await api('POST', `/devices/${mac}/reprovision`, {});
            await deviceView(mac, session);
            say(`Enrollment window open until ${when(d.enrollmentUntil)}`);
          },
        }),
        form({
          label: 'Resync',
          fields: [],
          submit: 'Resync now',
          action: async () => {
            const r = await api('POST', `/devices/${mac}/resync`, {});
            resyncState.textContent = `Resync ${r.state}`;
            void watchResync(mac, r.id, resyncState);
          },
        }),
        resyncState,
        replaceForm(mac, device),
      )
    : h('p', {}, 'Your account may only look (readonly).');

  const timeline = h('section', { 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'), events.length === 0 ? h('p', {}, 'No requests from this phone yet.') : timelineList(events));
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(showMac(mac), facts, h('p', {}, h('a', { href: `#/label/${mac}` }, 'Printable label'), ' · ', h('a', { href: '#/tech' }, 'Find another')), actions, timeline);
}

/** Events shown at first, and added by each "Show more". */
const TIMELINE_PAGE = 50;

/**
 * The timeline, newest first (the API gives the whole bounded log, oldest first): its newest
 * events, then "Show more" for older ones; the focus goes to the first one it shows.
 */
function timelineList(events) {
  const newest = [...events].reverse();
  const list = h('ol', { class: 'timeline', reversed: true, start: newest.length });
  const more = h('button', { type: 'button', class: 'secondary' });
  const show = () => {
    const items = newest.slice(list.children.length, list.children.length + TIMELINE_PAGE).map((e) =>
      h('li', { tabindex: '-1' }, h('time', { datetime: e.at }, when(e.at)), ' ', h('strong', {}, `${e.status} ${e.file}`), ` over ${e.protocol} from ${e.address}`, h('br'), h('span', { class: `reason ${e.status >= 400 ? 'bad' : ''}` }, REASONS[e.reason] ?? e.reason ?? ''), e.count > 1 ? ` (×${e.count})` : ''),
    );
    list.append(...items);
    const older = newest.length - list.children.length;
    more.textContent = `Show more (${older} older)`;
    more.hidden = older === 0;
    return items;
  };
  show();
  more.addEventListener('click', () => show()[0]?.focus());
  return [list, more];
}

/** Polls the device's resyncs until this one is confirmed or timed out (2 minutes at most). */
async function watchResync(mac, id, out) {
  const until = Date.now() + 120_000;
  while (Date.now() < until && out.isConnected) {
    await new Promise((r) => setTimeout(r, 2000));
    const r = (await api('GET', `/devices/${mac}/resyncs`).catch(() => [])).find((x) => x.id === id);
    if (!r) return;
    out.textContent = `Resync ${r.state}${r.reason ? ` (${r.answered} ${r.reason})` : ''}${r.error ? `: ${r.error}` : ''}`;
    if (r.state === 'confirmed' || r.state === 'timedOut') return say(out.textContent);
  }
}

function replaceForm(mac, device) {
  const f = form({
    label: 'Replace handset',
    fields: [
      h('h3', {}, 'Replace the handset'),
      field({ name: 'mac', label: 'New MAC address', required: true, autocomplete: 'off', spellcheck: 'false', hint: 'The new phone takes over this one: same lines and SIP credentials' }),
      field({ name: 'model', label: 'New model (if different)', placeholder: device.model }),
    ],
    submit: 'Replace handset',
    action: async (v) => {
      const d = await api('POST', `/devices/${mac}/replace`, v);
      say(`${showMac(mac)} replaced by ${showMac(d.mac)}`);
      location.hash = `#/tech/${d.mac}`;
    },
  });
  f.querySelector('.actions').append(scanner(f.elements.namedItem('mac'), () => undefined));
  return f;
}

/** `#/label/<mac>`: a label to print and stick on the phone, with a QR code opening its technician view. */
export async function labelView(mac) {
  const here = location.hash;
  const device = await api('GET', `/devices/${mac}`);
  const { default: qrcode } = await import('/vendor/qrcode.mjs');
  const url = `${location.origin}/#/tech/${mac}`;
  const qr = qrcode(0, 'M');
  qr.addData(url);
  qr.make();
  const n = qr.getModuleCount();
  const margin = 4;
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + margin} ${r + margin}h1v1h-1z`;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 2 * margin} ${n + 2 * margin}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `QR code opening ${url}`);
  svg.setAttribute('class', 'qr');
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    `Label ${showMac(mac)}`,
    h('div', { class: 'label' }, svg, h('p', { class: 'label-mac' }, showMac(mac)), h('p', {}, device.model, device.label ? ` · ${device.label}` : ''), h('p', { class: 'label-url' }, url)),
    h('p', { class: 'no-print' }, h('button', { type: 'button', onclick: () => window.print() }, 'Print'), ' ', h('a', { href: `#/tech/${mac}` }, 'Back to the device')),
  );
}
