// The account's phone numbers: list and search, add one, and one number's page (its label, whom it is routed to, delete).
import { api } from './api.js';
import { EMPLOYEES, employeeChoiceOf, employeeLink, field, form, h, link, list, page, refresh, say, someEmployees } from './ui.js';

/** A number's page: `#/numbers/<E.164 digits>` (the API takes the number with or without its `+`). */
const numberHash = (number) => `#/numbers/${number.replace(/^\+/, '')}`;

const routedTo = (id) => (id ? employeeLink(id) : 'nobody (available)');

export async function numbersView() {
  const here = location.hash;
  const choices = await someEmployees();
  const create = form({
    label: 'New number',
    fields: [
      h('h2', {}, 'New number'),
      field({ name: 'number', label: 'Number', required: true, inputmode: 'tel', autocomplete: 'off', hint: 'International form (+1 212 555 0100), or national form with its country' }),
      field({ name: 'country', label: 'Country', maxlength: 2, hint: 'Two letters (US, GB): only for a number in national form' }),
      field({ name: 'label', label: 'Label', hint: 'What the number is for' }),
      field({ name: 'employeeId', label: 'Route to', options: [['', 'Nobody yet'], ...choices], find: EMPLOYEES }),
    ],
    submit: 'Add number',
    action: async (v) => {
      const n = await api('POST', '/numbers', v);
      await refresh();
      say(`Number ${n.number} added`);
    },
  });
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    'Numbers',
    list({
      label: 'Numbers',
      path: '/numbers',
      filters: [{ name: 'q', label: 'Number or label contains' }, { name: 'available', label: 'Routing', options: [['', 'Any'], ['true', 'Available (routed to nobody)'], ['false', 'Routed']] }],
      columns: [['Number', (n) => link(numberHash(n.number), n.number)], ['Label', (n) => n.label], ['Routed to', (n) => routedTo(n.employeeId)], ['Direct', (n) => (n.direct ? 'yes' : '')]],
    }),
    create,
  );
}

/** `#/numbers/<digits>`: change its label and whom it is routed to (or take it back); delete it (refused while routed). */
export async function numberView(digits) {
  const here = location.hash;
  const [n, choices] = await Promise.all([api('GET', `/numbers/${digits}`), someEmployees()]);
  // Its employee is always a choice (field adds it), so that saving the label never takes the number from them.
  const holder = n.employeeId ? await employeeChoiceOf(n.employeeId) : undefined;
  const edit = form({
    label: 'Change number',
    patch: true,
    fields: [
      field({ name: 'label', label: 'Label', value: n.label }),
      field({ name: 'employeeId', label: 'Routed to', value: n.employeeId ?? '', options: [['', 'Nobody (take it back)'], ...choices], valueLabel: holder, find: EMPLOYEES, hint: 'A number routed to someone is taken back before it goes to someone else' }),
    ],
    submit: 'Save',
    action: async (v) => {
      await api('PATCH', `/numbers/${digits}`, v);
      await refresh();
      say('Saved');
    },
  });
  const problem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Delete number');
  remove.addEventListener('click', async () => {
    if (!confirm(`Delete ${n.number} from the account?`)) return;
    try {
      await api('DELETE', `/numbers/${digits}`);
      location.hash = '#/numbers';
      say(`Number ${n.number} deleted`);
    } catch (err) {
      problem.textContent = err.message;
      problem.hidden = false;
    }
  });
  if (location.hash !== here) return;
  page(
    n.number,
    h('dl', { class: 'facts' }, h('dt', {}, 'Routed to'), h('dd', {}, routedTo(n.employeeId), n.direct ? ' (direct number)' : ''), h('dt', {}, 'Label'), h('dd', {}, n.label ?? '')),
    edit,
    h('div', { class: 'actions' }, remove),
    problem,
  );
}
