// The Authenticator, like @aws-amplify/ui-react's: one centered card whose routes are the steps of Amplify's
// sign-in flow. "Sign In" and "Create Account" are tabs; creating an account leads to "We Emailed You" (the
// code), then signs the user in, as Amplify's autoSignIn does; "Forgot your password?" leads to "Reset Password"
// (email, then code + new password) and back to sign in. Fields are checked before Cognito is asked (the
// message goes under the field); what Cognito refuses is shown in the card's alert, in Cognito's words.
import { Auth, AuthError } from './auth.js';
import { alertBox, linkButton, passwordField, primaryButton, textField } from './auth-fields.js';
import { element } from './dom.js';

// The password stays in memory only, between "Create Account" and the confirmed code (to sign in then).
const state = { route: 'signIn', email: '', password: '', delivery: null, notice: '' };
const TABS = [['signIn', 'Sign In', 'to-sign-in'], ['signUp', 'Create Account', 'to-sign-up']];

// Show `route` the next time the Authenticator renders (e.g. sign-in after a sign-out), with a success notice.
export function setAuthenticatorRoute(route, notice = '') {
  Object.assign(state, { route, notice });
}

// The Authenticator's element; onSignedIn(user) runs once Cognito has signed the user in.
export function renderAuthenticator(config, onSignedIn) {
  const root = element('div', { id: 'authenticator', class: 'authenticator', 'data-amplify-authenticator': '' });
  const flow = {
    config,
    // Draw `route`, keeping the email typed so far; the keyboard focus goes to the element `focusId` (a tab
    // keeps it), else to the first empty field (the password, when the email is already filled in).
    go(route, notice = '', focusId = '') {
      const typed = root.querySelector('#auth-email');
      if (typed) state.email = typed.value.trim();
      setAuthenticatorRoute(route, notice);
      draw();
      const fields = [...root.querySelectorAll('form input')];
      (focusId ? document.getElementById(focusId) : fields.find((input) => !input.value) || fields[0])?.focus();
    },
    fail(text) {
      root.querySelector('#auth-error').show(text);
    },
    async signIn(password) {
      const user = await Auth.signIn(config.aws, state.email, password);
      Object.assign(state, { route: 'signIn', password: '', delivery: null, notice: '' });
      onSignedIn(user);
    },
  };
  const draw = () => root.replaceChildren(...frame(flow, ROUTES[state.route](flow)));
  draw();
  return root;
}

function frame(flow, view) {
  const name = flow.config.project.name;
  const header = element('h1', { class: 'auth-header',
    text: state.route === 'signUp' ? `Create your ${name} account` : `Sign in to ${name}` });
  const error = alertBox('auth-error', 'error');
  const button = primaryButton(...view.button);
  const form = element('form', { class: 'auth-form', novalidate: '', 'data-route': state.route },
    ...(view.heading ? [element('h2', { class: 'auth-heading', text: view.heading })] : []),
    ...(view.intro || []),
    alertBox('auth-notice', 'success', state.notice),
    ...view.fields.map((field) => field.node),
    error,
    button,
    ...(view.links ? [element('div', { class: 'auth-links' }, ...view.links)] : []));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.show('');
    if (button.disabled || !valid(view.checks())) return;
    try {
      await button.whileBusy(view.submit);
    } catch (problem) {
      error.show(problem instanceof AuthError ? problem.message : `Something went wrong: ${problem.message}`);
    }
  });
  const card = element('div', { id: 'auth-card', class: 'auth-card', 'data-route': state.route },
    ...(view.tabs ? [tabs(flow)] : []), form,
    ...(view.footer ? [element('div', { class: 'auth-footer' }, ...view.footer)] : []));
  if (view.tabs) {
    form.setAttribute('role', 'tabpanel');
    form.setAttribute('aria-labelledby', TABS.find(([route]) => route === state.route)[2]);
  }
  return [header, element('div', { class: 'auth-container' }, card)];
}

function tabs(flow) {
  const buttons = TABS.map(([route, label, id]) => element('button', {
    id, type: 'button', role: 'tab', class: 'auth-tab', text: label,
    'aria-selected': String(route === state.route), tabindex: route === state.route ? '0' : '-1',
    'data-state': route === state.route ? 'active' : 'inactive',
    onclick: () => { if (route !== state.route) flow.go(route, '', id); },
  }));
  // Arrow keys move between tabs, as in every tab list.
  return element('div', { class: 'auth-tabs', role: 'tablist', 'aria-label': 'Sign in or create an account',
    onkeydown: (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const index = (TABS.findIndex(([route]) => route === state.route) + step + TABS.length) % TABS.length;
      flow.go(TABS[index][0], '', TABS[index][2]);
    },
  }, ...buttons);
}

// [field, problem or ''] pairs: shows each problem under its field; true when there is none.
function valid(checks) {
  for (const [field, problem] of checks) field.showError(problem);
  const first = checks.find(([, problem]) => problem);
  first?.[0].input.focus();
  return !first;
}

function emailProblem(field) {
  if (!field.input.value.trim()) return 'Enter your email.';
  return field.input.validity.typeMismatch ? 'Enter a valid email address, like name@example.com.' : '';
}

function required(field, text) {
  return field.input.value.trim() ? '' : text;
}

function newPasswordChecks(flow, password, again) {
  return [
    [password, Auth.passwordProblems(flow.config.aws, password.input.value).join('\n')],
    [again, again.input.value === password.input.value ? '' : 'Your passwords must match'],
  ];
}

function emailField(autocomplete, placeholder = 'Enter your Email') {
  return textField({ id: 'auth-email', label: 'Email', type: 'email', autocomplete, placeholder, value: state.email });
}

function codeField(label, placeholder) {
  const field = textField({ id: 'auth-code', label, autocomplete: 'one-time-code', placeholder });
  field.input.setAttribute('inputmode', 'numeric');
  return field;
}

// Where the code went, and on the local cloud (no email is sent) a link to its mailbox page.
function codeSentIntro(flow, text) {
  const destination = state.delivery?.Destination || state.email;
  const paragraphs = [element('p', { class: 'auth-text', text: text(destination) })];
  const local = flow.config.aws.aws_cognito_endpoint;
  if (local) {
    paragraphs.push(element('p', { class: 'auth-hint' },
      'Local cloud: no email is sent. ',
      element('a', {
        id: 'open-mailbox', target: '_blank', rel: 'noopener', text: 'Open the local mailbox',
        href: `${local.replace(/\/$/, '')}/_amplify_nb/mailbox?to=${encodeURIComponent(state.email)}`,
      }),
      ' to read the code.'));
  }
  return paragraphs;
}

// A link that asks Cognito for a new code; its answer goes in the notice, or in the alert on failure.
function resendLink(flow, send) {
  const link = linkButton('resend-code', 'Resend Code', async () => {
    link.disabled = true;
    try {
      state.delivery = await send();
      flow.go(state.route, `We sent a new code to ${state.delivery?.Destination || state.email}.`);
    } catch (problem) {
      link.disabled = false;
      flow.fail(problem.message);
    }
  });
  return link;
}

function backToSignIn(flow) {
  return linkButton('to-sign-in', 'Back to Sign In', () => {
    Object.assign(state, { password: '', delivery: null });
    flow.go('signIn');
  });
}

const ROUTES = {
  signIn(flow) {
    const email = emailField('username');
    const password = passwordField({ id: 'auth-password', label: 'Password', autocomplete: 'current-password',
                                     placeholder: 'Enter your Password' });
    return {
      tabs: true,
      fields: [email, password],
      button: ['sign-in-button', 'Sign in', 'Signing in…'],
      footer: [linkButton('forgot-password', 'Forgot your password?', () => flow.go('forgotPassword'))],
      checks: () => [[email, emailProblem(email)], [password, required(password, 'Enter your password.')]],
      async submit() {
        state.email = email.input.value.trim();
        try {
          await flow.signIn(password.input.value);
        } catch (problem) {
          if (problem.code !== 'UserNotConfirmedException') throw problem;
          // As Amplify UI does: a new code, then the confirm step, then signed in.
          state.password = password.input.value;
          state.delivery = await Auth.resendCode(flow.config.aws, state.email);
          flow.go('confirmSignUp', 'Your account is not confirmed yet: enter the code we just emailed you.');
        }
      },
    };
  },

  signUp(flow) {
    const email = emailField('username');
    const password = passwordField({ id: 'auth-password', label: 'Password', autocomplete: 'new-password',
                                     placeholder: 'Enter your Password' });
    const again = passwordField({ id: 'auth-password-again', label: 'Confirm Password', autocomplete: 'new-password',
                                  placeholder: 'Please confirm your Password' });
    return {
      tabs: true,
      fields: [email, password, again],
      button: ['sign-up-button', 'Create Account', 'Creating Account…'],
      checks: () => [[email, emailProblem(email)], ...newPasswordChecks(flow, password, again)],
      async submit() {
        state.email = email.input.value.trim();
        const result = await Auth.signUp(flow.config.aws, state.email, password.input.value);
        if (result.confirmed) return flow.signIn(password.input.value);
        Object.assign(state, { password: password.input.value, delivery: result.delivery });
        flow.go('confirmSignUp');
      },
    };
  },

  confirmSignUp(flow) {
    const code = codeField('Confirmation Code', 'Enter your code');
    return {
      heading: 'We Emailed You',
      intro: codeSentIntro(flow, (to) => `Your code is on the way. To log in, enter the code we emailed to ${to}. `
                                         + 'It may take a minute to arrive.'),
      fields: [code],
      button: ['confirm-button', 'Confirm', 'Confirming…'],
      links: [resendLink(flow, () => Auth.resendCode(flow.config.aws, state.email)), backToSignIn(flow)],
      checks: () => [[code, required(code, 'Enter the code from the email.')]],
      async submit() {
        await Auth.confirmSignUp(flow.config.aws, state.email, code.input.value);
        if (!state.password) return flow.go('signIn', 'Your account is confirmed: sign in.');
        try {
          await flow.signIn(state.password);
        } catch {
          state.password = '';
          flow.go('signIn', 'Your account is confirmed: sign in.');
        }
      },
    };
  },

  forgotPassword(flow) {
    const email = emailField('username', 'Enter your email');
    return {
      heading: 'Reset Password',
      fields: [email],
      button: ['send-code-button', 'Send code', 'Sending…'],
      links: [backToSignIn(flow)],
      checks: () => [[email, emailProblem(email)]],
      async submit() {
        state.email = email.input.value.trim();
        state.delivery = await Auth.forgotPassword(flow.config.aws, state.email);
        flow.go('confirmResetPassword');
      },
    };
  },

  confirmResetPassword(flow) {
    const code = codeField('Code', 'Code');
    const password = passwordField({ id: 'auth-password', label: 'New Password', autocomplete: 'new-password',
                                     placeholder: 'New Password' });
    const again = passwordField({ id: 'auth-password-again', label: 'Confirm Password', autocomplete: 'new-password',
                                  placeholder: 'Confirm Password' });
    return {
      heading: 'Reset Password',
      intro: codeSentIntro(flow, (to) => `Enter the code we emailed to ${to}, then choose a new password.`),
      fields: [code, password, again],
      button: ['reset-password-button', 'Submit', 'Submitting…'],
      links: [resendLink(flow, () => Auth.forgotPassword(flow.config.aws, state.email)), backToSignIn(flow)],
      checks: () => [[code, required(code, 'Enter the code from the email.')], ...newPasswordChecks(flow, password, again)],
      async submit() {
        await Auth.confirmForgotPassword(flow.config.aws, state.email, code.input.value, password.input.value);
        Object.assign(state, { password: '', delivery: null });
        flow.go('signIn', 'Your password has been reset: sign in with your new password.');
      },
    };
  },
};
