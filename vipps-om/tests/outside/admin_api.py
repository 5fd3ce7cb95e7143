#!/usr/bin/env python3
"""The emulator's admin API driven from Python's standard library alone, as a
Python team's tests would: inject a 503 and then a dropped connection for one
order, see a plain HTTP client meet them, read what the emulator received,
reset. No Rust here.

    python3 admin_api.py BASE_URL
"""
import http.client
import json
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
CREDENTIALS = {
    "client_id": "emulator-client-id",
    "client_secret": "emulator-client-secret",
    "Ocp-Apim-Subscription-Key": "emulator-subscription-key",
}
MSN = "123456"
RECEIPT = {
    "orderLines": [{"name": "Socks", "id": "1", "totalAmount": 1250, "totalAmountExcludingTax": 1000,
                    "totalTaxAmount": 250, "taxRate": 2500}],
    "bottomLine": {"currency": "NOK"},
}


def call(method, path, body=None, headers=None):
    """Status, headers and JSON body (or None) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            raw = res.read()
            return res.status, res.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers, json.loads(raw) if raw else None


def check(condition, what):
    if not condition:
        print("FAIL: " + what)
        sys.exit(1)
    print("ok: " + what)


status, _, health = call("GET", "/_emulator/health")
check(status == 200 and health["status"] == "ok", "health answers ok")

status, _, token = call("POST", "/accesstoken/get", headers=CREDENTIALS)
api = {"Authorization": "Bearer " + token["access_token"], "Ocp-Apim-Subscription-Key": CREDENTIALS["Ocp-Apim-Subscription-Key"],
       "Merchant-Serial-Number": MSN}

# One order's receipt: a 503 with Retry-After, then stored and the connection dropped.
status, _, fault = call("POST", "/_emulator/faults", {"operation": "post_receipt", "orderId": "py-1", "status": 503, "retryAfter": "2"})
check(status == 201 and fault["remaining"] == 1, "a 503 fault is added")
status, _, _ = call("POST", "/_emulator/faults", {"operation": "post_receipt", "orderId": "py-1", "closeConnection": True, "when": "after"})
check(status == 201, "a dropped-connection fault is added")
status, _, faults = call("GET", "/_emulator/faults")
check(len(faults["faults"]) == 2, "both are listed")

path = "/order-management/v2/ECOM/receipts/py-1"
status, headers, problem = call("POST", path, RECEIPT, api)
check(status == 503 and headers["Retry-After"] == "2" and problem["status"] == 503, "the first POST gets the 503 with Retry-After")
try:
    call("POST", path, RECEIPT, api)
    check(False, "the second POST's connection is dropped")
except (http.client.RemoteDisconnected, ConnectionResetError, urllib.error.URLError):
    check(True, "the second POST's connection is dropped")
status, _, _ = call("POST", path, RECEIPT, api)
check(status == 409, "the third POST finds the receipt the dropped one stored (409)")
status, _, order = call("GET", "/order-management/v2/ECOM/py-1", headers=api)
check(status == 200 and order["receipt"]["orderLines"][0]["name"] == "Socks", "the order holds the receipt")

status, _, seen = call("GET", "/_emulator/requests?operation=post_receipt&orderId=py-1")
check(status == 200 and seen["total"] == 3, "three POSTs were recorded for py-1")
check(seen["requests"][0]["body"] == RECEIPT, "with the body as sent")
check(seen["requests"][0]["headers"]["authorization"] == "[not shown]", "and the token not shown")
status, _, faults = call("GET", "/_emulator/faults")
check(faults["faults"] == [], "both faults were used up")

status, _, _ = call("POST", "/_emulator/reset?merchant=" + MSN)
check(status == 200, "the merchant is reset")
status, _, _ = call("GET", "/order-management/v2/ECOM/py-1", headers=api)
check(status == 404, "its order is gone")
status, _, _ = call("POST", "/_emulator/reset")
check(status == 200, "everything is reset")
status, _, seen = call("GET", "/_emulator/requests")
check(seen["total"] == 0, "the record of requests is empty")
print("python: the admin API works from Python's standard library")
