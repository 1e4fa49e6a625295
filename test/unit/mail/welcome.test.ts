import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadWelcomeTemplates } from '../../../src/mail/welcome.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

t.test('the HTML escapes every value; the text and subject carry them as they are', async (t) => {
  const render = await loadWelcomeTemplates(TEMPLATES);
  const context = { firstName: 'Zoë <b>', lastName: "O'Brien & Co", username: 'zob', extension: '100', siteName: '<script>x</script>', voicemailNumber: '*97' };
  const html = render.html(context);
  t.notMatch(html, /<script>|<b>/, 'no markup from a field');
  t.match(html, /&lt;script&gt;x&lt;\/script&gt;/);
  t.match(html, /O&#x27;Brien &amp; Co/);
  t.match(render.text(context), /Zoë <b> O'Brien & Co/);
  t.match(render.text(context), /dial \*97/);
  t.equal(render.subject(context), 'Welcome, Zoë <b>: your phone is extension 100');
  t.match(render.text({ ...context, voicemailNumber: undefined }), /ask your administrator for the voicemail access number/);
  t.notMatch(render.text(context), /Direct number/, 'no direct-number line without one');
});
