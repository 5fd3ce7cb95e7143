// The emulator's admin API driven from Node's fetch, and the official
// Vipps MobilePay JavaScript SDK (1.3.1, the last with Order Management)
// meeting the faults it injects, as a Node team's tests would. The SDK's
// hosts are fixed (apitest.vipps.no), so its fetch is pointed at the
// emulator, as a test proxy would be. No Rust here.
//
//   node js_sdk.mjs BASE_URL   (with @vippsmobilepay/sdk@1.3.1 installed)
import { Client } from "@vippsmobilepay/sdk";

const base = process.argv[2].replace(/\/$/, "");
const check = (condition, what) => {
  if (!condition) {
    console.log("FAIL: " + what);
    process.exit(1);
  }
  console.log("ok: " + what);
};
const admin = async (method, path, body) => {
  const res = await fetch(`${base}/_emulator/${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
};

// The SDK's requests go to the emulator.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (input instanceof Request && input.url.startsWith("https://apitest.vipps.no")) {
    const url = new URL(input.url);
    return realFetch(new Request(base + url.pathname + url.search, input), init);
  }
  return realFetch(input, init);
};

const health = await admin("GET", "health");
check(health.status === 200 && health.json.status === "ok", "health answers ok");

const sdk = Client({
  merchantSerialNumber: "123456",
  subscriptionKey: "emulator-subscription-key",
  useTestMode: true,
  retryRequests: true,
  systemName: "node-test",
  systemVersion: "1.0.0",
});
const token = await sdk.auth.getToken("emulator-client-id", "emulator-client-secret");
check(token.ok, "the SDK fetches a token");
const accessToken = token.data.access_token;

// A receipt POST answered 503. The SDK reports it as failed, and its
// retries never reach the server: it sends the same Request again, whose
// body the first attempt consumed (so a 5xx on a receipt is never retried
// by this SDK, here or against the real service).
let added = await admin("POST", "faults", { operation: "post_receipt", orderId: "js-1", status: 503 });
check(added.status === 201, "a 503 fault is added");
const receipt = {
  orderLines: [{ name: "Socks", id: "1", totalAmount: 1250, totalAmountExcludingTax: 1000, totalTaxAmount: 250, taxPercentage: 25 }],
  bottomLine: { currency: "NOK" },
};
const posted = await sdk.order.addReceipt(accessToken, "js-1", "ecom", receipt);
check(!posted.ok, "the SDK reports the receipt as failed: " + JSON.stringify(posted.error).slice(0, 120));
let seen = await admin("GET", "requests?operation=post_receipt&orderId=js-1");
check(seen.json.total === 1, "the emulator received the one POST (the SDK's retries never left it)");
check(seen.json.requests[0].headers["idempotency-key"], "it carried the SDK's Idempotency-Key");
const again = await sdk.order.addReceipt(accessToken, "js-1", "ecom", receipt);
check(again.ok, "calling again stores it");

// A get-order whose connection is dropped: the SDK retries a GET, and the
// retry reads the receipt.
added = await admin("POST", "faults", { operation: "get_order", orderId: "js-1", closeConnection: true });
check(added.status === 201, "a dropped-connection fault is added");
const order = await sdk.order.info(accessToken, "js-1", "ecom");
check(order.ok && order.data.receipt.orderLines[0].name === "Socks", "the SDK's retry reads the stored receipt");
seen = await admin("GET", "requests?operation=get_order&orderId=js-1");
check(seen.json.total === 2, "two GETs arrived: the dropped one and the retry");

// A plain fetch meets a fault as it is.
await admin("POST", "faults", { operation: "get_order", orderId: "js-1", status: 503, retryAfter: "1" });
const plain = await realFetch(`${base}/order-management/v2/ECOM/js-1`, {
  headers: { Authorization: "Bearer " + accessToken, "Ocp-Apim-Subscription-Key": "emulator-subscription-key", "Merchant-Serial-Number": "123456" },
});
check(plain.status === 503 && plain.headers.get("retry-after") === "1", "a plain fetch gets the 503 with Retry-After");
await admin("POST", "faults", { operation: "get_order", orderId: "js-1", closeConnection: true });
let dropped = false;
try {
  await realFetch(`${base}/order-management/v2/ECOM/js-1`, {
    headers: { Authorization: "Bearer " + accessToken, "Ocp-Apim-Subscription-Key": "emulator-subscription-key", "Merchant-Serial-Number": "123456" },
  });
} catch (e) {
  dropped = true;
}
check(dropped, "a plain fetch sees the dropped connection");

const reset = await admin("POST", "reset");
check(reset.status === 200, "everything is reset");
const after = await sdk.order.info(accessToken, "js-1", "ecom");
check(!after.ok, "the order is gone after the reset");
console.log("node: the admin API and the official JS SDK work against the emulator");
