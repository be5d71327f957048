// Signs the cases read from stdin (JSON) with the sample app's signRequest (web/api.js) and prints the headers
// it would send, so tests/unit/test_web_sigv4.py can compare them with botocore's SigV4Auth.
// Run from a folder holding a copy of web/ with {"type": "module"} (the test makes one).
import { signRequest } from './web/api.js';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const c of JSON.parse(input)) {
  results.push(await signRequest({ ...c, date: new Date(c.date) }));
}
process.stdout.write(JSON.stringify(results));
