// The REST API as the console calls it: same origin, the session cookie, and on every write the
// session's CSRF token in X-CSRF-Token (the server refuses a write without it).

let csrf;
let onSignedOut = () => {};

export const setCsrf = (token) => { csrf = token; };
export const whenSignedOut = (f) => { onSignedOut = f; };

/** A problem answered by the API: `errors` are [{path, message, row?}]. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** Calls /api/v1`path`; `body` a string is sent as CSV, anything else as JSON. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let payload;
  if (typeof body === 'string') {
    headers['content-type'] = 'text/csv';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status === 401 && path !== '/session') onSignedOut();
  if (!res.ok) throw new ApiError(res.status, json ?? { title: res.statusText });
  return json;
}

/** A query string from an object, leaving out empty values. */
export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** A MAC in any usual notation as 12 lower-case hex digits, or undefined. */
export function parseMac(text) {
  const hex = String(text).trim().toLowerCase().replace(/[\s:.-]/g, '');
  return /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}
export const showMac = (mac) => mac.replace(/(..)(?!$)/g, '$1:').toUpperCase();
