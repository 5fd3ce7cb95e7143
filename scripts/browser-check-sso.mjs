// The company's single sign-on, as nginx's `auth_request` sees it: a small
// stand-in for oauth2-proxy (`--set-xauthrequest --reverse-proxy`), run by
// scripts/browser-check.sh in front of the third console. Listens on
// 127.0.0.1 (any free port) and prints {"port": N} when it does.
//
//   GET  /oauth2/auth      202 with X-Auth-Request-Email and
//                          X-Auth-Request-Groups for a browser signed on
//                          (its cookie), else 401: nginx's auth_request.
//   GET  /oauth2/sign_in   the sign-on page (nginx shows it for a 401, at
//                          the address first asked for: X-Original-URI).
//   POST /oauth2/sign_in   signs on a person of the directory (a cookie
//                          naming a sign-on kept here), then back to rd.
//   GET  /oauth2/sign_out  ends the sign-on, clears the cookie, says so.
//
// The directory is the company's: who exists, and their groups.
import http from 'node:http';
import crypto from 'node:crypto';

const DIRECTORY = {
  'kari@butikk.example': 'support',
  'dpo@butikk.example': 'support,dpo',
};
const COOKIE = '_oauth2_stub';
const signedOn = new Map(); // cookie value -> email

const cookieOf = (req) => {
  for (const part of (req.headers.cookie || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
};
// Where to go after signing on: a path on this host, nothing else.
const local = (rd) => (typeof rd === 'string' && rd.startsWith('/') && !rd.startsWith('//') && !rd.includes('\\') ? rd : '/');
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, status, title, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://stub');
  const who = signedOn.get(cookieOf(req));
  console.error(`sso stub: ${req.method} ${url.pathname} (${who || 'nobody'})`);
  if (url.pathname === '/oauth2/auth') {
    if (!who) { res.writeHead(401); res.end(); return; }
    res.writeHead(202, { 'X-Auth-Request-Email': who, 'X-Auth-Request-Groups': DIRECTORY[who] });
    res.end();
    return;
  }
  if (url.pathname === '/oauth2/sign_in' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const email = (form.get('email') || '').trim().toLowerCase();
      if (!(email in DIRECTORY)) {
        page(res, 403, 'Unknown user', `<p>${escape(email)} is not in the company's directory.</p>`);
        return;
      }
      const id = crypto.randomBytes(24).toString('hex');
      signedOn.set(id, email);
      res.writeHead(302, { location: local(form.get('rd')), 'set-cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
      res.end();
    });
    return;
  }
  if (url.pathname === '/oauth2/sign_in') {
    // Shown by nginx in place of a page asked for (error_page 401): the
    // address asked for is where signing on returns to.
    const asked = req.headers['x-original-uri'];
    const rd = local(url.searchParams.get('rd') || (asked && !asked.startsWith('/oauth2/') ? asked : '/'));
    page(res, 200, 'Sign in with your company account',
      `<form method="post" action="/oauth2/sign_in"><input type="hidden" name="rd" value="${escape(rd)}">` +
      '<label for="email">Work e-mail</label> <input id="email" name="email" type="email" autocomplete="username" required> ' +
      '<button type="submit">Sign in</button></form>');
    return;
  }
  if (url.pathname === '/oauth2/sign_out') {
    signedOn.delete(cookieOf(req));
    page(res, 200, 'Signed out of the company account', '<p>You are signed out. <a href="/">Sign in again</a></p>',
      { 'set-cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    return;
  }
  page(res, 404, 'Not found', '<p>Nothing here.</p>');
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
