// The real aws-amplify JS v6 library calling a project's REST API, configured from the generated
// amplifyconfiguration.json exactly as a web app would be (plus the local endpoints, see README "aws-amplify JS
// v6 and the local API"). It signs in, adds a beer, lists the beers, then deletes the one it added.
//
//   node amplify_v6_api.mjs <amplifyconfiguration.json> <api name> <email> <password>
//
// The API's `authorization` in the config chooses how: iam -> Amplify signs every request with SigV4 using the
// identity pool's credentials for the signed-in user (its default when no Authorization header is given);
// cognito -> the user's ID token is sent as the Authorization header, from the `headers` function of
// Amplify.configure's library options, as the Amplify docs show. Prints one JSON line: what each call returned.
// Run with NODE_PATH unset from a folder where `npm install aws-amplify@6` was done (the test copies it there).
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { del, get, post } from 'aws-amplify/api';
import { parseAmplifyConfig } from 'aws-amplify/utils';

const [configPath, apiName, email, password] = process.argv.slice(2);
const exports = JSON.parse(readFileSync(configPath, 'utf-8'));
const config = parseAmplifyConfig(exports);
if (exports.aws_cognito_endpoint) { // the local cloud: Cognito (both pools) at one local endpoint
  config.Auth.Cognito.userPoolEndpoint = exports.aws_cognito_endpoint;
  config.Auth.Cognito.identityPoolEndpoint = exports.aws_cognito_endpoint;
}
const entry = exports.aws_cloud_logic_custom.find((api) => api.name === apiName);
const mode = entry.authorization || 'iam';
const idToken = async () => (await fetchAuthSession()).tokens?.idToken?.toString();
Amplify.configure(config, mode === 'cognito'
  ? { API: { REST: { headers: async () => ({ Authorization: await idToken() }) } } }
  : {});

async function call(operation) {
  try {
    const { body, statusCode } = await operation.response;
    return { statusCode, body: await body.json() };
  } catch (error) {
    return { error: error.name, statusCode: error.response?.statusCode, message: error.message };
  }
}

const result = { mode };
const signedIn = await signIn({ username: email, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
result.signedIn = signedIn.isSignedIn;
const session = await fetchAuthSession();
result.identityId = session.identityId || null;
const noRetry = { retryStrategy: { strategy: 'no-retry' } };
result.created = await call(post({ apiName, path: '/beer', options: {
  body: { name: 'Punk IPA', brand: 'BrewDog', type: 'IPA' }, ...noRetry } }));
result.listed = await call(get({ apiName, path: '/beer', options: { queryParams: { source: 'amplify-js' }, ...noRetry } }));
if (result.created.body?.id) {
  result.deleted = await call(del({ apiName, path: `/beer/${result.created.body.id}`, options: noRetry }));
}
await signOut();
result.anonymous = await call(get({ apiName, path: '/beer', options: noRetry })); // signed out: a guest, or nobody
process.stdout.write(JSON.stringify(result) + '\n');
