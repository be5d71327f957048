// The sign-in page, like Amplify UI's withAuthenticator: once aws-exports.js has a user pool (notebook 03-auth),
// every page asks visitors to sign in first. Views: Sign in, Create account, Confirm (the emailed code).
// The header then shows who is signed in, with a Sign out button.
import { Auth, AuthError, isConfigured } from '../auth.js';
import { element } from '../dom.js';
import { addGuard, navigate, registerPage } from '../router.js';

const state = { view: 'signIn', email: '', notice: '', returnTo: '/' };

function field(id, label, type, autocomplete, value = '') {
  const input = element('input', { id, type, autocomplete, required: '' });
  input.value = value;
  return element('label', { class: 'auth-field', style: 'display:block;margin:.6rem 0' },
    element('span', { text: label, style: 'display:block;font-size:.9rem;color:#666' }), input);
}

function link(text, id, onclick) {
  return element('a', { href: '#', id, text, style: 'margin-right:1rem', onclick: (event) => { event.preventDefault(); onclick(); } });
}

function show(view, notice = '') {
  state.view = view;
  state.notice = notice;
  navigate('/signin');
}

function form(config, title, fields, buttonText, buttonId, submit, extras = []) {
  const error = element('p', { id: 'auth-error', class: 'warning', role: 'alert' });
  const notice = element('p', { id: 'auth-notice', style: 'color:#2e7d32', text: state.notice });
  const button = element('button', { id: buttonId, type: 'submit', text: buttonText });
  const body = element('form', {
    onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = '';
      button.disabled = true;
      try {
        await submit(body);
      } catch (problem) {
        error.textContent = problem instanceof AuthError ? problem.message : `Something went wrong: ${problem.message}`;
        if (problem.code === 'UserNotConfirmedException') {
          state.email = body.querySelector('#auth-email').value.trim();
          show('confirm', 'Enter the code we emailed you to confirm your account.');
        }
      } finally {
        button.disabled = false;
      }
    },
  }, ...fields, button, error);
  return element('section', { class: 'card auth', id: 'auth-card', style: 'max-width:26rem' },
    element('h1', { text: title }), notice, body, ...extras);
}

function value(root, id) {
  return root.querySelector(`#${id}`).value;
}

const views = {
  signIn(config) {
    return form(config, `Sign in to ${config.project.name}`, [
      field('auth-email', 'Email', 'email', 'username', state.email),
      field('auth-password', 'Password', 'password', 'current-password'),
    ], 'Sign in', 'sign-in-button', async (root) => {
      state.email = value(root, 'auth-email').trim();
      await Auth.signIn(config.aws, state.email, value(root, 'auth-password'));
      const destination = state.returnTo === '/signin' ? '/' : state.returnTo;
      state.view = 'signIn';
      state.notice = '';
      navigate(destination);
    }, [element('p', {}, link('Create account', 'to-sign-up', () => show('signUp')))]);
  },

  signUp(config) {
    return form(config, 'Create account', [
      field('auth-email', 'Email', 'email', 'username', state.email),
      field('auth-password', 'Password', 'password', 'new-password'),
      field('auth-password-again', 'Confirm password', 'password', 'new-password'),
      element('p', { class: 'muted', text: `Passwords need ${Auth.passwordRules(config.aws)}.` }),
    ], 'Create account', 'sign-up-button', async (root) => {
      const email = value(root, 'auth-email').trim();
      const password = value(root, 'auth-password');
      if (password !== value(root, 'auth-password-again')) {
        throw new AuthError('PasswordsDiffer', 'The two passwords differ: type the same password twice.');
      }
      const result = await Auth.signUp(config.aws, email, password);
      state.email = email;
      const where = result.delivery ? `${result.delivery.DeliveryMedium.toLowerCase()} to ${result.delivery.Destination}` : email;
      show('confirm', `We sent a code by ${where}.`);
    }, [element('p', {}, link('Back to sign in', 'to-sign-in', () => show('signIn')))]);
  },

  confirm(config) {
    const local = Boolean(config.aws.aws_cognito_endpoint);
    const hint = local
      ? 'Local cloud: no email is sent; the code is in the local mailbox.'
      : 'Check your inbox for the code.';
    const mailbox = local ? [element('p', {}, element('a', {
      id: 'open-mailbox', target: '_blank', rel: 'noopener',
      href: `${config.aws.aws_cognito_endpoint.replace(/\/$/, '')}/_amplify_nb/mailbox?to=${encodeURIComponent(state.email)}`,
      text: 'Open the local mailbox',
    }))] : [];
    return form(config, 'Confirm your email', [
      element('p', { class: 'muted', text: `Account: ${state.email}. ${hint}` }),
      ...mailbox,
      field('auth-code', 'Confirmation code', 'text', 'one-time-code'),
    ], 'Confirm', 'confirm-button', async (root) => {
      await Auth.confirmSignUp(config.aws, state.email, value(root, 'auth-code'));
      show('signIn', 'Your account is confirmed: sign in.');
    }, [element('p', {},
      link('Resend code', 'resend-code', async () => {
        const delivery = await Auth.resendCode(config.aws, state.email).catch((error) => ({ error }));
        show('confirm', delivery.error ? delivery.error.message : `We sent a new code to ${delivery.Destination}.`);
      }),
      link('Back to sign in', 'to-sign-in', () => show('signIn')))]);
  },
};

const signInPage = {
  title: 'Sign in',
  nav: false,
  render(container, config) {
    container.append(views[state.view](config));
  },
};

registerPage('/signin', signInPage);

// The header's "signed in as ... / Sign out", refreshed on every page.
async function updateUserArea(config) {
  const header = document.querySelector('header.topbar');
  if (!header) return;
  let area = document.getElementById('auth-user');
  if (!area) {
    area = element('span', { id: 'auth-user', style: 'display:flex;gap:.5rem;align-items:center' });
    header.append(area);
  }
  const user = await Auth.currentUser(config.aws);
  if (!user) {
    area.replaceChildren();
    if (Auth.idToken(config.aws) === null && window.location.pathname !== '/signin') navigate('/signin');
    return;
  }
  area.replaceChildren(
    element('span', { id: 'signed-in-as', text: user.email }),
    element('button', {
      id: 'sign-out', type: 'button', text: 'Sign out',
      onclick: async () => {
        await Auth.signOut(config.aws);
        area.replaceChildren();
        show('signIn', 'You are signed out.');
      },
    }),
  );
}

// Every page needs a signed-in user once the backend has a user pool.
addGuard((path, config) => {
  if (!isConfigured(config.aws)) return null;
  queueMicrotask(() => updateUserArea(config));
  if (Auth.idToken(config.aws)) return null;
  if (path !== '/signin') state.returnTo = path;
  return signInPage;
});
