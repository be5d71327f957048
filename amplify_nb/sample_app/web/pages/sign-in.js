// The sign-in page, like Amplify UI's withAuthenticator: once aws-exports.js has a user pool (notebook 03-auth),
// every page asks visitors to sign in first, with the Authenticator (../authenticator.js), and returns them to
// the page they asked for. The header then shows who is signed in, with a Sign out button.
import { Auth, isConfigured } from '../auth.js';
import { renderAuthenticator, setAuthenticatorRoute } from '../authenticator.js';
import { element } from '../dom.js';
import { addGuard, navigate, registerPage } from '../router.js';

let returnTo = '/';

const signInPage = {
  title: 'Sign in',
  nav: false,
  render(container, config) {
    container.append(renderAuthenticator(config, () => navigate(returnTo === '/signin' ? '/' : returnTo)));
  },
};

registerPage('/signin', signInPage);

// The header's "signed in as ... / Sign out", refreshed on every page.
async function updateUserArea(config) {
  const header = document.querySelector('header.topbar');
  if (!header) return;
  let area = document.getElementById('auth-user');
  if (!area) {
    area = element('span', { id: 'auth-user', class: 'auth-user' });
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
      id: 'sign-out', type: 'button', class: 'sign-out', text: 'Sign out',
      onclick: async () => {
        await Auth.signOut(config.aws);
        area.replaceChildren();
        setAuthenticatorRoute('signIn', 'You are signed out.');
        navigate('/signin');
      },
    }),
  );
}

// Every page needs a signed-in user once the backend has a user pool.
addGuard((path, config) => {
  if (!isConfigured(config.aws)) return null;
  queueMicrotask(() => updateUserArea(config));
  if (Auth.idToken(config.aws)) return null;
  if (path !== '/signin') returnTo = path;
  return signInPage;
});
