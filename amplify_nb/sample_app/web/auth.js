// A small Cognito client for the browser, the part of Amplify JS's Auth the app needs: sign up, confirm the
// emailed code, sign in, refresh, reset a forgotten password, sign out. It calls Cognito's JSON API directly
// (POST with X-Amz-Target, unsigned: these calls need no AWS credentials), at the user pool's region, or at
// `aws_cognito_endpoint` when aws-exports.js names one (the local cloud).
//
// The session (the tokens) is kept in localStorage, as Amplify JS does, under a key per app client.

const TARGET = 'AWSCognitoIdentityProviderService.';
const REFRESH_MARGIN_SECONDS = 300;

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function isConfigured(aws) {
  return Boolean(aws && aws.aws_user_pools_id && aws.aws_user_pools_web_client_id);
}

function endpoint(aws) {
  const region = aws.aws_cognito_region || aws.aws_project_region;
  return (aws.aws_cognito_endpoint || `https://cognito-idp.${region}.amazonaws.com`).replace(/\/$/, '') + '/';
}

function storageKey(aws) {
  return `amplify-nb.auth.${aws.aws_user_pools_web_client_id}`;
}

// The pool's password policy from aws-exports.js, checked before Cognito is asked, with Amplify UI's wording.
// Cognito's symbol set (space included).
const POLICY_CHECKS = {
  REQUIRES_LOWERCASE: [/[a-z]/, 'Password must have lower case letters'],
  REQUIRES_UPPERCASE: [/[A-Z]/, 'Password must have upper case letters'],
  REQUIRES_NUMBERS: [/[0-9]/, 'Password must have numbers'],
  REQUIRES_SYMBOLS: [/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/, 'Password must have special characters'],
};

function passwordProblems(aws, password) {
  const settings = aws.aws_cognito_password_protection_settings || {};
  const length = settings.passwordPolicyMinLength || 8;
  const problems = password.length < length ? [`Password must have at least ${length} characters`] : [];
  for (const kind of settings.passwordPolicyCharacters || []) {
    const [pattern, text] = POLICY_CHECKS[kind] || [];
    if (pattern && !pattern.test(password)) problems.push(text);
  }
  return problems;
}

async function call(aws, operation, body) {
  let response;
  try {
    response = await fetch(endpoint(aws), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + operation },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new AuthError('NetworkError', `Cannot reach the sign-in service (${endpoint(aws)}): ${error.message}`);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const raw = data.__type || response.headers.get('x-amzn-ErrorType') || 'UnknownError';
    const code = raw.split('#').pop().split(':')[0];
    // Cognito's own message, as Amplify UI shows it ("Incorrect username or password.").
    throw new AuthError(code, data.message || data.Message || `Sign-in service error (${code}).`);
  }
  return data;
}

function decode(token) {
  // The claims of a JWT, for display (the backend verifies tokens; the browser only reads them).
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const json = decodeURIComponent(atob(part).split('').map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
  return JSON.parse(json);
}

function save(aws, session) {
  localStorage.setItem(storageKey(aws), JSON.stringify(session));
}

function load(aws) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(aws)) || 'null');
  } catch {
    return null;
  }
}

function forget(aws) {
  localStorage.removeItem(storageKey(aws));
}

export const Auth = {
  passwordProblems,

  async signUp(aws, email, password) {
    const result = await call(aws, 'SignUp', {
      ClientId: aws.aws_user_pools_web_client_id, Username: email, Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
    return { userSub: result.UserSub, confirmed: result.UserConfirmed, delivery: result.CodeDeliveryDetails || null };
  },

  async confirmSignUp(aws, email, code) {
    await call(aws, 'ConfirmSignUp', { ClientId: aws.aws_user_pools_web_client_id, Username: email, ConfirmationCode: code.trim() });
  },

  async resendCode(aws, email) {
    const result = await call(aws, 'ResendConfirmationCode', { ClientId: aws.aws_user_pools_web_client_id, Username: email });
    return result.CodeDeliveryDetails || null;
  },

  // ForgotPassword emails a code (Cognito answers the same for an unknown address, so nobody learns who has an
  // account); ConfirmForgotPassword sets the new password with it.
  async forgotPassword(aws, email) {
    const result = await call(aws, 'ForgotPassword', { ClientId: aws.aws_user_pools_web_client_id, Username: email });
    return result.CodeDeliveryDetails || null;
  },

  async confirmForgotPassword(aws, email, code, password) {
    await call(aws, 'ConfirmForgotPassword', {
      ClientId: aws.aws_user_pools_web_client_id, Username: email, ConfirmationCode: code.trim(), Password: password,
    });
  },

  async signIn(aws, email, password) {
    const result = await call(aws, 'InitiateAuth', {
      ClientId: aws.aws_user_pools_web_client_id, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (!result.AuthenticationResult) {
      throw new AuthError(result.ChallengeName || 'Challenge', `This account needs a further step (${result.ChallengeName}).`);
    }
    const tokens = result.AuthenticationResult;
    save(aws, { idToken: tokens.IdToken, accessToken: tokens.AccessToken, refreshToken: tokens.RefreshToken,
                expiresAt: Date.now() / 1000 + (tokens.ExpiresIn || 3600) });
    return this.currentUser(aws);
  },

  // The signed-in user ({email, sub}) from the stored ID token, refreshed first when it is about to expire;
  // null when nobody is signed in (or the session has ended).
  async currentUser(aws) {
    let session = load(aws);
    if (!session) return null;
    if (Date.now() / 1000 > session.expiresAt - REFRESH_MARGIN_SECONDS) {
      try {
        const result = await call(aws, 'InitiateAuth', {
          ClientId: aws.aws_user_pools_web_client_id, AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        });
        const tokens = result.AuthenticationResult;
        session = { ...session, idToken: tokens.IdToken, accessToken: tokens.AccessToken,
                    expiresAt: Date.now() / 1000 + (tokens.ExpiresIn || 3600) };
        save(aws, session);
      } catch {
        forget(aws);
        return null;
      }
    }
    const claims = decode(session.idToken);
    return { email: claims.email || claims['cognito:username'], sub: claims.sub };
  },

  idToken(aws) {
    const session = load(aws);
    return session ? session.idToken : null;
  },

  // Global sign-out, like Auth.signOut({ global: true }): every refresh token of the user is revoked.
  async signOut(aws) {
    const session = load(aws);
    forget(aws);
    if (session) {
      try {
        await call(aws, 'GlobalSignOut', { AccessToken: session.accessToken });
      } catch {
        // already signed out on the server: the outcome the user asked for
      }
    }
  },
};
