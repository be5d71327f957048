// The Authenticator's form controls, shaped like Amplify UI's: a labelled full-width field with its error
// message under it, a password field with a show/hide button, a primary button with a busy text, a link
// button, and the alert box the service's messages go in. Styles: the .auth-* rules in authenticator.css.
import { element } from './dom.js';

// A text, email or code field; `field.input` is the <input>, `field.showError(text)` puts a message under it.
export function textField({ id, label, type = 'text', autocomplete, placeholder = '', value = '' }) {
  const input = element('input', {
    id, name: id, type, autocomplete, placeholder, class: 'auth-input', 'aria-describedby': `${id}-error`,
  });
  input.value = value;
  return fieldWith(id, label, input, input);
}

// A password field: the eye button beside it shows the password as text and hides it again.
export function passwordField({ id, label, autocomplete, placeholder = '' }) {
  const input = element('input', {
    id, name: id, type: 'password', autocomplete, placeholder, class: 'auth-input', 'aria-describedby': `${id}-error`,
  });
  const toggle = element('button', {
    type: 'button', class: 'auth-show-password', 'aria-label': 'Show password', 'aria-controls': id,
    'data-shown': 'false',
    onclick: () => {
      const shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      toggle.setAttribute('aria-label', shown ? 'Hide password' : 'Show password');
      toggle.dataset.shown = String(shown);
    },
  }, element('span', { class: 'auth-eye', 'aria-hidden': 'true' }));
  return fieldWith(id, label, input, element('div', { class: 'auth-field-group' }, input, toggle));
}

function fieldWith(id, label, input, control) {
  const message = element('p', { id: `${id}-error`, class: 'auth-field-error', hidden: '' });
  const node = element('div', { class: 'auth-field' }, element('label', { for: id, text: label }), control, message);
  const showError = (text) => {
    message.textContent = text || '';
    message.hidden = !text;
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  input.addEventListener('input', () => showError(''));  // typing again clears the complaint
  return { node, input, showError };
}

// The submit button: disabled, with `busyText`, while `run()` is pending.
export function primaryButton(id, text, busyText) {
  const button = element('button', { id, type: 'submit', class: 'auth-button auth-button--primary', text });
  button.whileBusy = async (run) => {
    button.disabled = true;
    button.textContent = busyText;
    button.setAttribute('aria-busy', 'true');
    try {
      return await run();
    } finally {
      button.disabled = false;
      button.textContent = text;
      button.removeAttribute('aria-busy');
    }
  };
  return button;
}

// A button that looks like a link ("Forgot your password?", "Resend Code", "Back to Sign In").
export function linkButton(id, text, onclick) {
  return element('button', { id, type: 'button', class: 'auth-button auth-button--link', text, onclick });
}

// An alert box; `alert.show(text)` fills it (empty text hides it). kind: 'error' (role=alert) or 'success'.
export function alertBox(id, kind, text = '') {
  const message = element('span', { class: 'auth-alert-text' });
  const box = element('div', { id, class: `auth-alert auth-alert--${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    element('span', { class: 'auth-alert-icon', 'aria-hidden': 'true' }), message);
  box.show = (value) => {
    message.textContent = value || '';
    box.hidden = !value;
  };
  box.show(text);
  return box;
}
