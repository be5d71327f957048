// REST calls to the APIs listed in aws-exports.js (`aws_cloud_logic_custom`), the part of Amplify JS's REST
// client the app needs. Each entry says how its API is protected (`authorization`):
//   iam      (Amplify Gen 1's way) the request is signed with AWS Signature V4 using temporary credentials from
//            the Cognito identity pool: the signed-in user's (their ID token in Logins) or a guest's.
//   cognito  the user pool's ID token goes in the Authorization header (raw, as the Amplify docs send it).
//   none     sent as is.
// The signature is computed with WebCrypto (crypto.subtle HMAC-SHA256), as the SigV4 spec describes it; the
// browser sets the Host header itself (with the port), and it is signed all the same.
import { Auth } from './auth.js';

const encoder = new TextEncoder();
const REFRESH_MARGIN_SECONDS = 300;

export class ApiError extends Error {
  // status 0 means no answer came (network, CORS); errorType is API Gateway's x-amzn-ErrorType.
  constructor(status, message, errorType = '', body = null) {
    super(message);
    this.status = status;
    this.errorType = errorType;
    this.body = body;
  }
}

// --- SigV4 ------------------------------------------------------------------------------------------------
function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(data) {
  return hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data));
}

async function hmac(key, text) {
  const cryptoKey = await crypto.subtle.importKey('raw', typeof key === 'string' ? encoder.encode(key) : key,
    { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(text));
}

// RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ (encodeURIComponent leaves !'()* alone).
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(pathname) {
  // Dot segments are already resolved by URL(); empty segments dropped; each segment encoded again (the path
  // as sent is percent-encoded once, and SigV4 for execute-api encodes it a second time).
  const segments = pathname.split('/').filter(Boolean).map(uriEncode);
  return '/' + segments.join('/') + (segments.length && pathname.endsWith('/') ? '/' : '');
}

function canonicalQuery(search) {
  // The query as sent (already encoded), sorted by name, then value.
  if (search.length <= 1) return '';
  const pairs = search.slice(1).split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
  });
  pairs.sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''); // 20261201T120000Z
}

// The headers to send with a SigV4-signed request: the given ones plus x-amz-date, x-amz-security-token and
// authorization. Signed: every given header, host (url.host, with the port) and the two x-amz ones; the
// body's SHA-256 is part of the canonical request.
export async function signRequest({ method, url, headers = {}, body = '', credentials, region, service = 'execute-api',
                                    date = new Date() }) {
  const target = new URL(url);
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const toSign = { host: target.host, 'x-amz-date': stamp };
  if (credentials.sessionToken) toSign['x-amz-security-token'] = credentials.sessionToken;
  for (const [name, value] of Object.entries(headers)) toSign[name.toLowerCase()] = String(value);
  const names = Object.keys(toSign).sort();
  const canonicalHeaders = names.map((name) => `${name}:${toSign[name].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [method.toUpperCase(), canonicalPath(target.pathname), canonicalQuery(target.search),
    canonicalHeaders, signedHeaders, await sha256Hex(body || '')].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, await sha256Hex(canonicalRequest)].join('\n');
  let key = await hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  const signed = { ...headers, 'x-amz-date': stamp };
  if (credentials.sessionToken) signed['x-amz-security-token'] = credentials.sessionToken;
  signed.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, `
    + `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return signed;
}

// --- identity-pool credentials ------------------------------------------------------------------------------
const credentialCache = new Map(); // ID token (or 'guest') -> { identityId, credentials, expiresAt }

function identityEndpoint(aws) {
  const region = aws.aws_cognito_region || aws.aws_project_region;
  return (aws.aws_cognito_endpoint || `https://cognito-identity.${region}.amazonaws.com`).replace(/\/$/, '') + '/';
}

async function identityCall(aws, operation, body) {
  let response;
  try {
    response = await fetch(identityEndpoint(aws), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityService.${operation}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, `Cannot reach the identity pool (${identityEndpoint(aws)}): ${error.message}`);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const code = (data.__type || '').split('#').pop();
    throw new ApiError(response.status, `The identity pool refused credentials (${code}): ${data.message || ''}`, code);
  }
  return data;
}

// Temporary AWS credentials for the signed-in user (or a guest), as Amplify JS's fetchAuthSession gets them;
// null when the pool gives this visitor none (no identity pool, or guests not allowed).
export async function identityCredentials(aws) {
  if (!aws.aws_cognito_identity_pool_id) return null;
  const idToken = Auth.idToken(aws);
  const cacheKey = idToken || 'guest';
  const cached = credentialCache.get(cacheKey);
  if (cached && Date.now() / 1000 < cached.expiresAt - REFRESH_MARGIN_SECONDS) return cached.credentials;
  const region = aws.aws_cognito_region || aws.aws_project_region;
  const logins = idToken ? { Logins: { [`cognito-idp.${region}.amazonaws.com/${aws.aws_user_pools_id}`]: idToken } } : {};
  try {
    const identityId = cached?.identityId
      || (await identityCall(aws, 'GetId', { IdentityPoolId: aws.aws_cognito_identity_pool_id, ...logins })).IdentityId;
    const { Credentials: given } = await identityCall(aws, 'GetCredentialsForIdentity', { IdentityId: identityId, ...logins });
    const credentials = { accessKeyId: given.AccessKeyId, secretAccessKey: given.SecretKey, sessionToken: given.SessionToken };
    credentialCache.set(cacheKey, { identityId, credentials, expiresAt: Number(given.Expiration) || Date.now() / 1000 + 3600 });
    return credentials;
  } catch (error) {
    if (!idToken && error.errorType === 'NotAuthorizedException') return null; // no guest access
    throw error;
  }
}

// --- REST calls -----------------------------------------------------------------------------------------------
export function apiNames(aws) {
  return (aws.aws_cloud_logic_custom || []).map((entry) => entry.name);
}

function apiEntry(aws, apiName) {
  const entry = (aws.aws_cloud_logic_custom || []).find((item) => item.name === apiName);
  if (!entry) throw new ApiError(0, `No REST API named ${apiName} in aws-exports.js: add one and push.`);
  return entry;
}

function resolveUrl(entry, path, query) {
  const url = entry.endpoint.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
  const pairs = Object.entries(query || {}).flatMap(([key, value]) => (Array.isArray(value) ? value : [value])
    .filter((item) => item !== undefined && item !== null).map((item) => `${uriEncode(key)}=${uriEncode(String(item))}`));
  return pairs.length ? `${url}${url.includes('?') ? '&' : '?'}${pairs.join('&')}` : url;
}

async function authorize(aws, entry, method, url, headers, body) {
  const mode = (entry.authorization || 'iam').toLowerCase();
  if (aws.aws_user_pools_id) await Auth.currentUser(aws); // renews the session's tokens when they are about to expire
  if (mode === 'cognito') {
    const token = Auth.idToken(aws);
    if (!token) throw new ApiError(401, 'Sign in first: this API takes a signed-in user.');
    return { ...headers, Authorization: token };
  }
  if (mode !== 'iam' || Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers;
  const credentials = await identityCredentials(aws);
  if (!credentials) return headers; // unsigned, as Amplify JS sends it: the API answers 403
  const region = entry.region || aws.aws_project_region || 'us-east-1';
  return signRequest({ method, url, headers, body, credentials, region });
}

function errorMessage(data, text, status) {
  if (data && typeof data === 'object') {
    const message = data.message || data.Message || data.error;
    if (message) return typeof message === 'string' ? message : JSON.stringify(message);
  }
  return text || `HTTP ${status}`;
}

// One call; resolves to the parsed JSON body (or text), rejects with ApiError.
export async function request(aws, apiName, method, path, { body, query, headers = {} } = {}) {
  const entry = apiEntry(aws, apiName);
  const url = resolveUrl(entry, path, query);
  const sent = { ...headers };
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) {
      sent['Content-Type'] = 'application/json; charset=UTF-8';
    }
  }
  const signed = await authorize(aws, entry, method, url, sent, payload);
  let response;
  try {
    response = await fetch(url, { method, headers: signed, body: payload });
  } catch (error) {
    throw new ApiError(0, `Cannot reach the API at ${entry.endpoint} (${error.message}).`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const errorType = (response.headers.get('x-amzn-ErrorType') || '').split(':')[0];
    throw new ApiError(response.status, errorMessage(data, text, response.status), errorType, data);
  }
  return data;
}

export const Api = {
  get: (aws, apiName, path, options) => request(aws, apiName, 'GET', path, options),
  post: (aws, apiName, path, options) => request(aws, apiName, 'POST', path, options),
  put: (aws, apiName, path, options) => request(aws, apiName, 'PUT', path, options),
  del: (aws, apiName, path, options) => request(aws, apiName, 'DELETE', path, options),
};
