/**
 * HTTP status codes with their RFC 9110 meaning and the design guide's advice on when to use them
 * (the guide's decision matrix). Used by hover and completion.
 */
export interface StatusInfo { code: string; phrase: string; meaning: string; use?: string }

export const STATUS_CODES: StatusInfo[] = [
  { code: '200', phrase: 'OK', meaning: 'The request succeeded; the body carries the result (RFC 9110 §15.3.1).', use: 'Reads, updates that return the resource, and commands whose result is immediate.' },
  { code: '201', phrase: 'Created', meaning: 'A new resource was created (RFC 9110 §15.3.2).', use: 'POST that creates a resource; send a Location header pointing at it.' },
  { code: '202', phrase: 'Accepted', meaning: 'The request was accepted for processing, which has not completed (RFC 9110 §15.3.3).', use: 'Asynchronous work: distinguish "accepted" from "done" and give a Location/status resource to poll.' },
  { code: '204', phrase: 'No Content', meaning: 'The request succeeded and there is no body (RFC 9110 §15.3.5).', use: 'DELETE, or updates that return nothing.' },
  { code: '301', phrase: 'Moved Permanently', meaning: 'The resource has a new permanent URI (RFC 9110 §15.4.2).' },
  { code: '302', phrase: 'Found', meaning: 'The resource is temporarily under another URI (RFC 9110 §15.4.3).' },
  { code: '303', phrase: 'See Other', meaning: 'The result is available at another URI, retrieved with GET (RFC 9110 §15.4.4).', use: 'Pointing at the status resource of a finished asynchronous job.' },
  { code: '304', phrase: 'Not Modified', meaning: 'A conditional GET found the cached representation still valid (RFC 9110 §15.4.5).' },
  { code: '307', phrase: 'Temporary Redirect', meaning: 'Repeat the request, same method, at another URI (RFC 9110 §15.4.8).' },
  { code: '308', phrase: 'Permanent Redirect', meaning: 'Repeat the request, same method, at a new permanent URI (RFC 9110 §15.4.9).' },
  { code: '400', phrase: 'Bad Request', meaning: 'The server cannot process the request because it is malformed (RFC 9110 §15.5.1).', use: 'Malformed JSON, a missing required field, a wrong type: the request is syntactically wrong.' },
  { code: '401', phrase: 'Unauthorized', meaning: 'The request lacks valid authentication credentials (RFC 9110 §15.5.2).', use: 'No credentials or an expired token. Include a WWW-Authenticate header. Not for authenticated-but-forbidden callers (that is 403).' },
  { code: '403', phrase: 'Forbidden', meaning: 'The server understood the request but refuses to fulfil it (RFC 9110 §15.5.4).', use: 'Authenticated but not permitted. Do not challenge for credentials.' },
  { code: '404', phrase: 'Not Found', meaning: 'No current representation for the target resource (RFC 9110 §15.5.5).', use: 'The resource does not exist, or exists but the caller must not know: pick one policy per resource and keep it.' },
  { code: '405', phrase: 'Method Not Allowed', meaning: 'The method is not supported by the target resource; send Allow (RFC 9110 §15.5.6).' },
  { code: '406', phrase: 'Not Acceptable', meaning: 'No representation matches the Accept header (RFC 9110 §15.5.7).' },
  { code: '408', phrase: 'Request Timeout', meaning: 'The server did not receive a complete request in time (RFC 9110 §15.5.9).' },
  { code: '409', phrase: 'Conflict', meaning: 'The request conflicts with the current state of the resource (RFC 9110 §15.5.10).', use: 'A stale ETag or a duplicate unique key; the problem detail should name the conflict. Not for an Idempotency-Key reused with a different body (that is 422).' },
  { code: '410', phrase: 'Gone', meaning: 'The resource is no longer available and will not be again (RFC 9110 §15.5.11).' },
  { code: '412', phrase: 'Precondition Failed', meaning: 'A precondition (If-Match, If-Unmodified-Since) evaluated to false (RFC 9110 §15.5.13).', use: 'Optimistic concurrency with ETags.' },
  { code: '413', phrase: 'Content Too Large', meaning: 'The request content is larger than the server allows (RFC 9110 §15.5.14).', use: 'Set explicit body limits at the framework and the proxy.' },
  { code: '415', phrase: 'Unsupported Media Type', meaning: 'The content is in a format the server does not support (RFC 9110 §15.5.16).' },
  { code: '422', phrase: 'Unprocessable Content', meaning: 'The content is well-formed but semantically invalid (RFC 9110 §15.5.21).', use: 'A domain rule failed (insufficient funds, invalid state), or an Idempotency-Key was reused with a different body.' },
  { code: '428', phrase: 'Precondition Required', meaning: 'The server requires the request to be conditional (RFC 6585 §3).' },
  { code: '429', phrase: 'Too Many Requests', meaning: 'The client sent too many requests in a given time (RFC 6585 §4).', use: 'Rate limiting. Include Retry-After.' },
  { code: '500', phrase: 'Internal Server Error', meaning: 'The server met an unexpected condition (RFC 9110 §15.6.1).', use: 'Unhandled errors. Never leak stack traces in the body.' },
  { code: '501', phrase: 'Not Implemented', meaning: 'The server does not support the functionality required (RFC 9110 §15.6.2).' },
  { code: '502', phrase: 'Bad Gateway', meaning: 'An upstream server sent an invalid response (RFC 9110 §15.6.3).' },
  { code: '503', phrase: 'Service Unavailable', meaning: 'The server cannot handle the request now, e.g. overload or maintenance (RFC 9110 §15.6.4).', use: 'Send Retry-After when you know when to come back.' },
  { code: '504', phrase: 'Gateway Timeout', meaning: 'An upstream server did not answer in time (RFC 9110 §15.6.5).' },
];

const BY_CODE = new Map(STATUS_CODES.map((info) => [info.code, info]));

export function statusInfo(code: string): StatusInfo | undefined {
  const exact = BY_CODE.get(code);
  if (exact) return exact;
  const range = /^([1-5])XX$/i.exec(code);
  if (range) {
    const kinds: Record<string, string> = { '1': 'Informational', '2': 'Successful', '3': 'Redirection', '4': 'Client error', '5': 'Server error' };
    return { code, phrase: `any ${kinds[range[1]].toLowerCase()} status`, meaning: `A range: every ${range[1]}xx status code not described on its own (OpenAPI response ranges).` };
  }
  if (code === 'default') return { code, phrase: 'default', meaning: 'Every status code not described on its own.', use: 'A problem-details default response documents the error model once for all unlisted errors.' };
  return undefined;
}
