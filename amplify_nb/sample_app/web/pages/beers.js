// The tutorial's beer list: every beer behind the REST API's /beer path in a table (name, brand, type), a form to
// add one (Save), and Edit / Delete on each row. It calls the first API of aws-exports.js (notebook 04-api) in
// that API's auth mode (web/api.js); the CRUD function behind it makes each beer's id.
import { Api, ApiError, apiNames } from '../api.js';
import { element } from '../dom.js';
import { registerPage } from '../router.js';

const PATH = '/beer';
const FIELDS = [['name', 'Name'], ['brand', 'Brand'], ['type', 'Type']];

// What went wrong, in words a visitor can act on.
export function explain(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message}`;
  if (error.status === 0) return `${error.message} Check the network, or that the backend is running.`;
  if (error.status === 401) return `The API did not accept your session (401: ${error.message}). Sign out, then sign in again.`;
  if (error.status === 403) return `The API refused this request (403: ${error.message}). Your account may not be allowed to do this.`;
  if (error.status >= 500) return `The API failed (${error.status}: ${error.message}). Try again in a moment.`;
  return `${error.message} (${error.status})`;
}

function beersPage(container, config) {
  const aws = config.aws;
  const apiName = apiNames(aws)[0];
  const state = { editing: null, beers: [] };
  const message = element('p', { id: 'beer-message', class: 'warning', role: 'alert' });
  const notice = element('p', { id: 'beer-notice', class: 'notice', role: 'status' });
  const inputs = Object.fromEntries(FIELDS.map(([name]) => [name, element('input', { id: `beer-${name}`, required: '' })]));
  const title = element('h2', { id: 'beer-form-title', text: 'Add a beer' });
  const save = element('button', { id: 'beer-save', type: 'submit', text: 'Save' });
  const cancel = element('button', { id: 'beer-cancel', type: 'button', text: 'Cancel', hidden: '', onclick: () => edit(null) });
  const rows = element('tbody', { id: 'beer-rows' });
  const count = element('p', { id: 'beer-count', class: 'muted' });

  function say(text, problem = true) {
    message.textContent = problem ? text : '';
    notice.textContent = problem ? '' : text;
  }

  function edit(beer) {
    state.editing = beer;
    title.textContent = beer ? `Edit ${beer.name}` : 'Add a beer';
    cancel.hidden = !beer;
    for (const [name] of FIELDS) inputs[name].value = beer ? beer[name] ?? '' : '';
    inputs.name.focus();
  }

  async function run(action, done) {
    save.disabled = true;
    try {
      await action();
      if (done) say(done, false);
    } catch (error) {
      say(explain(error));
    } finally {
      save.disabled = false;
    }
  }

  function row(beer) {
    return element('tr', { 'data-id': beer.id },
      ...FIELDS.map(([name]) => element('td', { class: `beer-${name}`, text: beer[name] ?? '' })),
      element('td', { class: 'actions' },
        element('button', { type: 'button', class: 'edit-beer', text: 'Edit', onclick: () => edit(beer) }),
        element('button', { type: 'button', class: 'delete-beer', text: 'Delete',
          onclick: () => run(async () => {
            await Api.del(aws, apiName, `${PATH}/${encodeURIComponent(beer.id)}`);
            if (state.editing?.id === beer.id) edit(null);
            await load();
          }, `Deleted ${beer.name}.`) })));
  }

  async function load() {
    const found = await Api.get(aws, apiName, PATH);
    state.beers = (Array.isArray(found) ? found : []).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    rows.replaceChildren(...state.beers.map(row));
    count.textContent = state.beers.length === 1 ? '1 beer' : `${state.beers.length} beers`;
  }

  const form = element('form', {
    id: 'beer-form',
    onsubmit: (event) => {
      event.preventDefault();
      const beer = Object.fromEntries(FIELDS.map(([name]) => [name, inputs[name].value.trim()]));
      const editing = state.editing;
      run(async () => {
        if (editing) await Api.put(aws, apiName, `${PATH}/${encodeURIComponent(editing.id)}`, { body: beer });
        else await Api.post(aws, apiName, PATH, { body: beer });
        edit(null);
        await load();
      }, editing ? `Saved ${beer.name}.` : `Added ${beer.name}.`);
    },
  }, title, ...FIELDS.map(([name, label]) => element('label', { class: 'beer-field' }, element('span', { text: label }), inputs[name])),
  element('div', { class: 'buttons' }, save, cancel));

  const table = element('table', { id: 'beer-table', class: 'beers' },
    element('thead', {}, element('tr', {}, ...FIELDS.map(([, label]) => element('th', { text: label })), element('th'))),
    rows);
  const where = element('p', { class: 'muted', text: `From the ${apiName} API (${PATH}), ${aws.aws_cloud_logic_custom[0].authorization || 'iam'} auth.` });
  container.append(element('section', { class: 'card' }, element('h1', { text: 'Beers' }), where, message, notice, table, count, form));
  run(load);
}

registerPage('/beers', {
  title: 'Beers',
  render(container, config) {
    if (!apiNames(config.aws).length) {
      container.append(element('section', { class: 'card' }, element('h1', { text: 'Beers' }),
        element('p', { id: 'beer-message', class: 'muted',
          text: 'There is no REST API yet: add one (notebook 04-api, or amplify-nb add api), push, then publish again.' })));
      return;
    }
    beersPage(container, config);
  },
});
