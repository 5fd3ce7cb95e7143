// The support console in Chromium, as a customer-service department uses
// it: run by scripts/browser-check.sh (which starts the emulator and two
// consoles, and sets EMULATOR_URL, PROXIED_URL, NAMED_URL and CHROMIUM), from
// target/browser, where playwright-core and axe-core are installed.
import { createRequire } from 'node:module';
import http from 'node:http';
import fs from 'node:fs';

const require = createRequire(process.cwd() + '/');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const emulator = process.env.EMULATOR_URL.replace(/\/$/, '');
const proxied = process.env.PROXIED_URL.replace(/\/$/, '');
const named = process.env.NAMED_URL.replace(/\/$/, '');
const KARI = 'kari-7f3a-9kq2-token-x1';
const HOSTILE = '<img src=x onerror=alert(1)>\u202ekcatta';
let failures = 0;
const fail = (m) => { console.log('FAIL: ' + m); failures += 1; };
const NBSP = '\u00a0';
const nb = (t) => t.replaceAll(' ', NBSP);

// Order 1042 as another system stores it (the console must show what is
// there, even numbers that disagree).
async function seed() {
  const token = await (await fetch(emulator + '/accesstoken/get', {
    method: 'POST',
    headers: { client_id: 'emulator-client-id', client_secret: 'emulator-client-secret', 'Ocp-Apim-Subscription-Key': 'emulator-subscription-key' },
  })).json();
  const line = (name, id, total, excl, vat, rate, extra = {}) => ({ name, id, totalAmount: total, totalAmountExcludingTax: excl, totalTaxAmount: vat, taxRate: rate, ...extra });
  const receipt = {
    orderLines: [
      line('Ullsokker, grå', 'sku-1', 29800, 23840, 5960, 2500, { discount: 0, productUrl: 'https://butikk.example/p/ullsokker', unitInfo: { unitPrice: 14900, quantity: '2', quantityUnit: 'PCS' } }),
      line('Kaffebønner, mørkbrent', 'sku-2', 16000, 13913, 2087, 1500, { unitInfo: { unitPrice: 32000, quantity: '0.5', quantityUnit: 'KG' } }),
      line('Hjemlevering', 'frakt', 9900, 7920, 1980, 2500, { isShipping: true }),
      line('Skjerf i blå ull', 'sku-3', 19900, 15920, 3980, 2500, { isReturn: true }),
      line('Lue med dusk', 'sku-4', 12500, 9375, 3125, 2500, { discount: 2500, unitInfo: { unitPrice: 15000, quantity: '1', quantityUnit: 'PCS' } }),
      line('Votter, røde', 'sku-5', 20000, 16000, 4000, 2500, { discount: 1000, unitInfo: { unitPrice: 14900, quantity: '2', quantityUnit: 'PCS' } }),
      line(HOSTILE, 'sku-6', 0, 0, 0, 2500),
    ],
    bottomLine: { currency: 'NOK', receiptNumber: '100042', posId: 'kasse-3', barcode: { format: 'EAN-13', data: '7080001234567' }, tipAmount: 2000, paymentSources: { card: 70000, giftCard: 6200 } },
  };
  const answer = await fetch(emulator + '/order-management/v2/ECOM/receipts/order-1042', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token.access_token, 'Ocp-Apim-Subscription-Key': 'emulator-subscription-key', 'Merchant-Serial-Number': '123456', 'content-type': 'application/json' },
    body: JSON.stringify(receipt),
  });
  if (answer.status !== 201) throw new Error('the receipt was not stored: ' + answer.status + ' ' + await answer.text());
}

// Wrong tokens from 127.0.0.2, another client than the browser's.
function wrongSignIn() {
  return new Promise((resolve, reject) => {
    const url = new URL(named + '/login');
    const body = 'token=guess-guess-guess-1';
    const req = http.request({ host: url.hostname, port: url.port, path: '/login', method: 'POST', localAddress: '127.0.0.2',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length, origin: named } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const WIDTHS = [{ width: 1366, height: 900 }, { width: 390, height: 844 }];
const LANGUAGES = ['nb', 'da', 'fi', 'en'];
let audits = 0;

async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  audits += 1;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) fail(`axe (${what}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/// No part of the page is cut off: nothing wider than the window, every
/// amount cell inside it.
async function fits(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) fail(`${what}: the page is ${overflow} px wider than the window`);
  const cut = await page.$$eval('td.num', (tds) => tds.filter((td) => { const r = td.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; }).length);
  if (cut) fail(`${what}: ${cut} amount cell(s) reach past the window`);
}

(async () => {
  await seed();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const watch = (page, origin) => {
    const outside = [];
    const dialogs = [];
    page.on('request', (r) => { if (!r.url().startsWith(origin)) outside.push(r.url()); });
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    return () => {
      if (outside.length) fail('requests left the console: ' + outside.join(', '));
      if (dialogs.length) fail('a script ran: ' + dialogs.join(', '));
    };
  };

  // 1. Behind single sign-on: the proxy (127.0.0.1, trusted) names Kari.
  const sso = await browser.newContext({ bypassCSP: true, extraHTTPHeaders: { 'X-Forwarded-Email': 'kari@butikk.example', 'Accept-Language': 'nb-NO,nb;q=0.9' } });
  const ssoPage = await sso.newPage();
  const ssoDone = watch(ssoPage, proxied);
  let answer = await ssoPage.goto(proxied + '/orders/ecom/order-1042');
  if (answer.status() !== 200) fail('behind the proxy: HTTP ' + answer.status());
  if (!(await ssoPage.innerText('header')).includes('kari@butikk.example')) fail('behind the proxy: who is signed in is not shown');
  console.log('sign-on proxy: signed in as kari@butikk.example, order page HTTP ' + answer.status());
  const around = await browser.newContext({ bypassCSP: true });
  const aroundPage = await around.newPage();
  for (const lang of ['nb', 'da', 'fi', 'en']) {
    await aroundPage.goto(proxied + '/lang/' + lang + '?next=%2F');
    for (const size of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
      await aroundPage.setViewportSize(size);
      answer = await aroundPage.goto(proxied + '/orders/ecom/order-1042');
      if (answer.status() !== 401) fail('around the proxy: HTTP ' + answer.status());
      await axe(aroundPage, `not signed on, ${lang}, ${size.width} px`);
    }
  }
  await around.close();
  ssoDone();

  // 2. Named tokens: a deep link through sign-in, while 127.0.0.2 floods.
  const ctx = await browser.newContext({ bypassCSP: true, viewport: WIDTHS[0], locale: 'nb-NO', extraHTTPHeaders: { 'Accept-Language': 'nb-NO,nb;q=0.9' } });
  const page = await ctx.newPage();
  const done = watch(page, named);
  await page.goto(named + '/orders/ecom/order-1042');
  if (!page.url().includes('/login?next=%2Forders%2Fecom%2Forder-1042')) fail('the deep link did not lead to sign-in: ' + page.url());
  const flood = [];
  for (let i = 0; i < 30; i++) flood.push(await wrongSignIn());
  const limited = flood.filter((f) => f.status === 429);
  if (limited.length !== 20 || !limited.every((f) => Number(f.retryAfter) >= 1)) fail('the flood: ' + JSON.stringify(flood.map((f) => f.status)));
  // Signed in by keyboard alone: focus the token field, type, Enter.
  await page.focus('#token');
  await page.keyboard.type(KARI);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  if (!page.url().endsWith('/orders/ecom/order-1042')) fail('after sign-in the deep link was lost: ' + page.url());
  console.log(`flood from 127.0.0.2: ${flood.length - limited.length} wrong, then ${limited.length} limited (429 with Retry-After); 127.0.0.1 signed in by keyboard and landed on ${new URL(page.url()).pathname}`);

  // 3. The order in each language: numbers, VAT by rate, warnings, bidi.
  const expected = {
    nb: { total: nb('683,00 kr'), vat15: nb('20,87 kr'), vat25: nb('110,85 kr'), title: 'Mva per sats' },
    da: { total: nb('683,00 NOK'), vat15: nb('20,87 NOK'), vat25: nb('110,85 NOK'), title: 'Moms pr. sats' },
    fi: { total: nb('683,00 NOK'), vat15: nb('20,87 NOK'), vat25: nb('110,85 NOK'), title: 'ALV verokannoittain' },
    en: { total: nb('NOK 683.00'), vat15: nb('NOK 20.87'), vat25: nb('NOK 110.85'), title: 'VAT by rate' },
  };
  for (const lang of LANGUAGES) {
    // The switch, by keyboard: focus its link, press Enter.
    await page.focus(`nav.languages a[hreflang="${lang}"]`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const htmlLang = await page.getAttribute('html', 'lang');
    if (htmlLang !== lang) fail(`the switch to ${lang} gave lang=${htmlLang}`);
    const main = (await page.innerText('main')).replace(/[\u2068\u2069]/g, '');
    const e = expected[lang];
    if (!main.includes(e.title)) fail(`${lang}: no VAT table heading ${e.title}`);
    const vatRows = await page.$$eval('table.vat tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
    if (vatRows.length !== 2 || vatRows[0][2] !== e.vat15 || vatRows[1][2] !== e.vat25) fail(`${lang}: VAT by rate ${JSON.stringify(vatRows)}`);
    const sum = await page.$$eval('table.receipt tfoot td', (tds) => tds.map((td) => td.innerText.trim()));
    if (sum[2] !== e.total) fail(`${lang}: the total is ${sum[2]}, not ${e.total}`);
    const warnings = await page.$$eval('tr.warning', (trs) => trs.length);
    if (warnings !== 2) fail(`${lang}: ${warnings} warning rows, not 2`);
    console.log(`${lang}: total ${sum[2]}, VAT ${vatRows.map((r) => r[0] + ' ' + r[2]).join(' / ')}, ${warnings} lines marked`);
  }
  const names = await page.$$eval('table.receipt tbody .name', (els) => els.map((e) => e.innerText));
  if (!names.some((n) => n.includes('<img src=x onerror=alert(1)>\\u{202e}kcatta'))) fail('the hostile name is not shown as escaped text: ' + JSON.stringify(names));
  if (await page.evaluate(() => document.body.innerHTML.includes('\u202e'))) fail('a right-to-left override reached the page');
  if (await page.$$eval('main img', (imgs) => imgs.length)) fail('an img element was made from data');
  // Every scrolling region is reachable by keyboard.
  const regions = await page.$$eval('.scroll', (els) => els.map((e) => e.tabIndex));
  if (!regions.length || regions.some((t) => t !== 0)) fail('a scrolling region is not focusable: ' + regions);

  // 4. Every page, every language, both widths: axe-core finds nothing
  // serious or critical; the phone layout cuts nothing off.
  const pages = [
    ['order', '/orders/ecom/order-1042', 200],
    ['lookup', '/', 200],
    ['nothing stored', '/orders/ecom/order-9999', 404],
    ['other case', '/orders/ecom/ORDER-1042', 404],
    ['not an order id', '/lookup?paymentType=ecom&orderId=ordre+%C3%A6%2F1', 400],
    ['no such page', '/no/such/page', 404],
    ['unknown payment type', '/orders/bitcoin/order-1042', 400],
    ['wrong method', '/logout', 405],
  ];
  for (const lang of LANGUAGES) {
    await page.goto(named + '/lang/' + lang + '?next=%2F');
    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      for (const [what, path, status] of pages) {
        const a = await page.goto(named + path);
        if (a.status() !== status) fail(`${what} (${lang}): HTTP ${a.status()}, not ${status}`);
        if ((await page.$$('h1')).length !== 1) fail(`${what} (${lang}): not one h1`);
        await axe(page, `${what}, ${lang}, ${size.width} px`);
        await fits(page, `${what}, ${lang}, ${size.width} px`);
      }
    }
  }
  // The order page's screenshots, in Norwegian, desktop and phone.
  await page.goto(named + '/lang/nb?next=%2Forders%2Fecom%2Forder-1042');
  await page.setViewportSize(WIDTHS[0]);
  await page.screenshot({ path: 'console-order-desktop.png', fullPage: true });
  await page.setViewportSize(WIDTHS[1]);
  await page.screenshot({ path: 'console-order-phone.png', fullPage: true });
  console.log('screenshots: target/browser/console-order-desktop.png, target/browser/console-order-phone.png');

  // 5. Sign-in pages: the form, a wrong token, another site's post.
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'vipps_om_session');
  const guest = await browser.newContext({ bypassCSP: true });
  const g = await guest.newPage();
  for (const lang of LANGUAGES) {
    await g.goto(named + '/lang/' + lang + '?next=%2Flogin');
    for (const size of WIDTHS) {
      await g.setViewportSize(size);
      await g.goto(named + '/login');
      await axe(g, `sign-in, ${lang}, ${size.width} px`);
      await g.fill('#token', 'guess-guess-guess-2');
      const wrong = await Promise.all([g.waitForNavigation(), g.click('button[type=submit]')]).then(([r]) => r);
      if (wrong.status() !== 401) fail(`a wrong token (${lang}): HTTP ${wrong.status()}`);
      await axe(g, `wrong token, ${lang}, ${size.width} px`);
      await fits(g, `wrong token, ${lang}, ${size.width} px`);
    }
  }
  // Wrong tokens until this client (the browser's, 127.0.0.1) is limited:
  // the 429 page, audited in every language at both widths. The session
  // of the other context is not affected.
  for (let i = 0; i < 12; i++) {
    await g.goto(named + '/login');
    await g.fill('#token', 'guess-guess-guess-3');
    const r = await Promise.all([g.waitForNavigation(), g.click('button[type=submit]')]).then(([x]) => x);
    if (r.status() === 429) break;
  }
  for (const lang of LANGUAGES) {
    await g.goto(named + '/lang/' + lang + '?next=%2Flogin');
    for (const size of WIDTHS) {
      await g.setViewportSize(size);
      await g.fill('#token', KARI);
      const r = await Promise.all([g.waitForNavigation(), g.click('button[type=submit]')]).then(([x]) => x);
      if (r.status() !== 429) fail(`the limit (${lang}): HTTP ${r.status()}`);
      await axe(g, `429, ${lang}, ${size.width} px`);
      await fits(g, `429, ${lang}, ${size.width} px`);
    }
  }
  if ((await (await page.goto(named + '/')).status()) !== 200) fail('the limit of one client reached another session');
  // Another site's page (served from another origin) that posts to the
  // console's sign-in and sign-out: refused, whatever it sends.
  const evil = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!DOCTYPE html><title>elsewhere</title><form id=f method=post action="${named}${req.url}"><input name=token value="${KARI}"><button>go</button></form>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const elsewhere = `http://127.0.0.1:${evil.address().port}`;
  await g.goto(elsewhere + '/login');
  const forged = await Promise.all([g.waitForNavigation(), g.click('button')]).then(([r]) => r);
  if (forged.status() !== 403) fail('a sign-in from another site: HTTP ' + forged.status());
  if ((await guest.cookies(named)).some((c) => c.name === 'vipps_om_session')) fail('another site signed the browser in');
  await g.goto(named + '/lang/en?next=%2Flogin');
  await g.goto(elsewhere + '/login');
  await Promise.all([g.waitForNavigation(), g.click('button')]);
  await axe(g, 'another site, en');
  await guest.close();
  // Another site cannot sign staff out either.
  const p2 = await ctx.newPage();
  await p2.goto(elsewhere + '/logout');
  const out = await Promise.all([p2.waitForNavigation(), p2.click('button')]).then(([r]) => r);
  if (out.status() !== 403) fail('a sign-out from another site: HTTP ' + out.status());
  await p2.close();
  evil.close();
  if ((await (await page.goto(named + '/')).status()) !== 200) fail('another site signed staff out');

  // 6. Sign out, then replay the old cookie in a fresh browser: refused.
  await page.goto(named + '/');
  await Promise.all([page.waitForNavigation(), page.click('form.signout button')]);
  if (!page.url().endsWith('/login')) fail('sign-out led to ' + page.url());
  const thief = await browser.newContext({ bypassCSP: true });
  await thief.addCookies([{ name: session.name, value: session.value, url: named }]);
  const t = await thief.newPage();
  await t.goto(named + '/orders/ecom/order-1042');
  if (!t.url().includes('/login')) fail('a cookie replayed after sign-out still works: ' + t.url());
  console.log('sign-out ended the session: the replayed cookie led to ' + new URL(t.url()).pathname);
  await thief.close();

  done();
  await browser.close();
  console.log(`axe-core: ${audits} audits, ${failures ? 'with failures above' : 'no serious or critical violation'}`);
  if (failures) { console.log(`browser check FAILED (${failures})`); process.exit(1); }
  console.log('browser check passed');
})().catch((e) => { console.log('FAIL: ' + (e.stack || e)); process.exit(1); });
