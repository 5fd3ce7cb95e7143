# The support console's words, in English. Every language file names the
# same messages (a test checks). Arguments in { $braces } are filled in by
# the console: amounts and dates already in the language's form.

console-name = Order support
skip-to-content = Skip to content
nav-languages = Language
signed-in-as = Signed in as
sign-out = Sign out
footer-read-only = Everything shown comes from the Vipps MobilePay Order Management API (and the shop's outbox, when the console reads it). Nothing here changes what Vipps MobilePay holds.
none = none

## Amounts, quantities, rates, times

money-nok = NOK { $amount }
money-dkk = DKK { $amount }
money-eur = €{ $amount }
money-other = { $currency } { $amount }
percent = { $value }%
quantity-pieces = { $quantity } pcs
quantity-kg = { $quantity } kg
quantity-km = { $quantity } km
quantity-minutes = { $quantity } min
quantity-litres = { $quantity } l
quantity-kwh = { $quantity } kWh
quantity-other = { $quantity } { $unit }
moment = { $local } (UTC{ $offset })

## Payment types and kinds of link

payment-type-ecom = Online or in-store payment (eCom / ePayment)
payment-type-recurring = Recurring charge (subscription)
category-general = General link
category-receipt = Receipt
category-order-confirmation = Order confirmation
category-delivery = Delivery
category-ticket = Ticket
category-booking = Booking

## Lookup

lookup-title = Look up an order
lookup-payment-type = Kind of payment
lookup-order-id = Order number
lookup-order-id-hint = As the shop or the customer shows it. Spaces, a leading # and invisible characters are removed.
lookup-button = Look up
lookup-another = Look up another order

## Sign-in

signin-title = Sign in
signin-token = Your access token
signin-token-hint = The personal access token you were given for this console.
signin-button = Sign in
signin-wrong-token = That access token is not one of this console's. Check that you pasted all of your own token.
signin-form-broken = The sign-in form was not sent as it asks. Reload the page and try again.
signin-too-many = That access token is not one of this console's, and { $count } wrong tokens have come from your network ({ $client }) in the last minute, so wrong ones are refused for { $seconds ->
    [one] one second
   *[other] { $seconds } seconds
}. Your own token still signs you in: check that you pasted all of it.

## The order page

order-title = Order { $order }
order-heading = Order
order-payment-type = Kind of payment
order-looked-up = Looked up
order-searched = You searched for “{ $searched }”; looked up as { $order }.
order-as-json = This order as JSON
not-held-title = Not shown here
not-held-text = Whether the payment was reserved, captured, refunded or cancelled is not held by the Order Management API. Look it up in the merchant portal (portal.vipps.no) or in the shop's own system.
receipt-title = Receipt
receipt-final = A receipt cannot be changed once it is sent: a later return or correction does not appear here. The shop handles those in its own system.
receipt-none = The shop has not sent a receipt for this order.
receipt-lines = Receipt lines
receipt-sum = Total
col-item = Item
col-quantity = Quantity
col-unit-price = Unit price
col-discount = Discount
col-vat-rate = VAT rate
col-excluding-vat = Before VAT
col-vat = VAT
col-including-vat = Including VAT
col-amount = Amount
col-lines = Lines
badge-shipping = Shipping
badge-returned = Returned
badge-check = Check
product-id = Item number
product-link = Product page
old-field = (older field)
sum-too-large = The sum is too large to show; the shop's numbers are wrong.
vat-title = VAT by rate
vat-no-rate = No rate given
vat-lines = { $count ->
    [one] { $count } line
   *[other] { $count } lines
}
facts-title = More about the receipt
fact-currency = Currency
fact-receipt-number = Receipt number
fact-barcode = Barcode
fact-pos-id = Till (POS) id
fact-tip = Tip
fact-paid-card = Paid by card
fact-paid-gift-card = Paid by gift card
fact-paid-voucher = Paid by voucher
fact-paid-cash = Paid in cash
fact-gift-card = Gift card
fact-total = Total
fact-total-vat = Total VAT
fact-total-discount = Total discount
fact-shipping = Shipping
fact-shipping-info = Shipping details
fact-terminal-id = Terminal id
warning-summary = { $count ->
    [one] The numbers of one line do not agree. The line is marked below; the customer sees them as the shop sent them.
   *[other] The numbers of { $count } lines do not agree. The lines are marked below; the customer sees them as the shop sent them.
}
warning-line = Check “{ $line }”:
warning-sums = the amount is not the amount before VAT plus the VAT.
warning-vat = the VAT is { $stated }, but the VAT rate gives { $expected }.
warning-total = the amount is { $stated }, but unit price × quantity − discount gives { $expected }.
link-title = Link shown with the payment
link-none = The shop has not set a link for this order.
link-kind = Kind
link-address = Address
link-image = Image
link-id = Link id
links-v3-title = More links shown with the payment
links-v3-hint = Links added through the newer interface; a payment can have several.
links-v3-none = None.

## Problems

trouble-instead = These hold something:
trouble-error-id = Reference for Vipps MobilePay support:
trouble-details = Technical details
trouble-misdirected-title = Wrong address
trouble-misdirected-explanation = This console answers only requests addressed to this machine (localhost or 127.0.0.1).
trouble-misdirected-todo = Open it as http://localhost:PORT/ or http://127.0.0.1:PORT/. To reach it from other machines, start it with sign-in (--staff or --identity-proxy) behind a TLS proxy.
trouble-not-signed-on-title = Sign in through your company's sign-on
trouble-not-signed-on-explanation = This console learns who you are from your company's single sign-on, and this request did not come through it.
trouble-not-signed-on-todo = Open the console at the address your company gave you, which signs you in first.
trouble-other-site-title = Sent from another site
trouble-other-site-explanation = Signing in and out works only from this console's own pages; this request came from another site.
trouble-other-site-todo = Open the console's own address and use its buttons.
trouble-audit-title = The lookup could not be recorded
trouble-audit-explanation = Every lookup is recorded in the audit trail before it is shown, and the console's database cannot take it right now. Nothing was shown.
trouble-audit-todo = Tell whoever runs this console: its database cannot be written (disk full, permissions, or the database server).
trouble-no-page-title = No such page
trouble-no-page-explanation = There is no such page in the support console.
trouble-no-page-todo = Start again from the lookup form.
trouble-invalid-id-title = This is not an order number
trouble-invalid-id-explanation = You searched for “{ $searched }”, which cannot be an order number: { $reason }
id-problem-empty = nothing is left of it once spaces and invisible characters are removed.
id-problem-dots = “.” and “..” are not order numbers.
id-problem-long = it is longer than { $max } characters.
id-problem-chars = it holds { $chars }, which order numbers cannot hold.
trouble-invalid-id-todo = Order numbers hold only letters A–Z and a–z, digits, “-”, “_” and “.”; copy it again from the shop's e-mail or admin page.
trouble-form-title = The lookup form was not filled in
trouble-form-explanation = It needs one kind of payment and one order number.
trouble-form-todo = Fill in the form below and look up again.
trouble-payment-type-title = Unknown kind of payment
trouble-payment-type-explanation = “{ $given }” is not a kind of payment this console knows.
trouble-payment-type-todo = Choose the kind of payment in the form: an online or in-store payment, or a recurring charge.
trouble-nothing-title = Nothing stored for this order
trouble-nothing-explanation = Vipps MobilePay holds no receipt and no link for order { $order } ({ $kind }).
trouble-nothing-todo = Check the order number (capital and small letters differ) and the kind of payment. If they are right, the shop has not sent anything for this order: ask the shop's technical contact. Vipps MobilePay support cannot add it.
trouble-keys-title = The shop's keys lack access
trouble-keys-explanation = Vipps MobilePay refused the shop's API keys, or they have no access to order information for this sales unit. Nothing is wrong with the order.
trouble-keys-todo = Ask whoever manages the shop's Vipps MobilePay settings to check the API keys and the merchant serial number in the merchant portal (portal.vipps.no).
trouble-unreachable-title = Vipps MobilePay cannot be reached from here
trouble-unreachable-explanation = The console could not connect to the Order Management API at all: nothing answered. This is a network or set-up problem on the console's side, not Vipps MobilePay being busy.
trouble-unreachable-todo = Tell whoever runs this console: check its network, proxy and API address.
trouble-slow-title = Vipps MobilePay did not answer in time
trouble-slow-explanation = The order information was asked for, but no answer came in time.
trouble-slow-todo = Try again in a minute. If it keeps happening, check status.vipps.no.
trouble-unavailable-title = Vipps MobilePay is busy or failing
trouble-unavailable-explanation = The Order Management API answered that it cannot serve the request right now.
trouble-unavailable-todo = Try again in a few minutes and check status.vipps.no. If it persists, contact Vipps MobilePay support, with the reference when one is shown below.
trouble-rejected-title = Vipps MobilePay refused the lookup
trouble-rejected-explanation = The order number or kind of payment is not one the API accepts.
trouble-rejected-todo = Check the order number and the kind of payment.
trouble-unexpected-title = Vipps MobilePay answered unexpectedly
trouble-unexpected-explanation = The order information could not be read.
trouble-unexpected-todo = Try again later; if it persists, contact Vipps MobilePay support, with the technical details below (and the reference, when one is shown).
warning-out-of-range = unit price × quantity − discount is larger than any amount can be, so it cannot be this amount.
warning-quantity = the quantity is not a number as receipts write them, so the amount cannot be checked against it.
warning-rate = the VAT rate is outside 0 % to 100 %.
id-problem-not-text = the address holds bytes that are not text.
trouble-too-large-title = Too much was sent
trouble-too-large-explanation = The console takes at most 16 KiB with a request; this one was larger.
trouble-too-large-todo = Go back and send the form again as it is.
trouble-too-slow-title = The request did not arrive in time
trouble-too-slow-explanation = The console waits 10 seconds for a request to arrive whole; this one did not.
trouble-too-slow-todo = Check the network connection and try again.
trouble-wrong-method-title = This address does not do that
trouble-wrong-method-explanation = This page cannot be opened this way (signing out, for example, takes the button on each page).
trouble-wrong-method-todo = Start again from the lookup form.

## The payment, the slow notice, sign-on, the audit trail

unit-kg = kg
unit-km = km
unit-minute = min
unit-litre = l
unit-kwh = kWh
unit-price-per = { $price } per { $unit }
paid-title = Payment
paid-lines = Receipt lines
paid-total = Total paid
paid-sources-match = The payment sources add up to the total paid.
paid-sources-differ = The payment sources add up to { $sources }, but the receipt lines and the tip come to { $total }. The customer sees the receipt as the shop sent it; ask the shop whether it matters.
paid-no-sources = The shop did not say how it was paid.
order-waiting = Vipps MobilePay is slow to answer. The order appears here as soon as the answer comes; there is no need to reload.
order-who-looked = Who looked at this order
signed-on-title = Signed in through your company's sign-on
signed-on-text = You are signed in to this console through your company's single sign-on. To sign out, sign out of the company's sign-on (or close the browser); the console keeps no sign-in of its own for you.
audit-link = Audit trail
trouble-identity-title = The sign-on could not be read
trouble-identity-explanation = Your company's sign-on sent this request with who you are in a form the console does not take (named twice, or not as text). Nothing was shown.
trouble-identity-todo = Tell whoever runs the sign-on: it must replace the header that names the person, never add to one a browser sent.
trouble-store-title = The console cannot reach its database
trouble-store-explanation = Sign-ins and the audit trail are kept in the console's database, and it did not answer. Nothing was shown.
trouble-store-todo = Try again in a minute; if it keeps failing, tell whoever runs this console: its database cannot be reached.
trouble-not-auditor-title = The audit trail is for auditors
trouble-not-auditor-explanation = Only people with the auditor role (in the staff file, or in the auditors' group of the company's sign-on) may read who looked at what.
trouble-not-auditor-todo = Ask whoever runs this console, if your work needs it.
trouble-audit-form-title = The audit trail's form could not be read
trouble-audit-form-explanation = The field “{ $field }” holds something the form does not take.
trouble-audit-form-todo = Give days as 2026-12-07 (or a moment as 2026-12-07T13:45), and choose from the lists.
audit-title = Audit trail
audit-hint = Every sign-in, refusal, lookup and sign-out on every instance of this console, newest first. Times are in { $zone }.
audit-any = Any
audit-who = Who
audit-event = Event
audit-from = From (day)
audit-until = Until (day, included)
audit-show = Show
audit-export = Download these entries (JSON lines)
audit-none = No entries match.
audit-older = Older entries
audit-time = Time
audit-client = Client address
audit-order = Order
audit-typed = Typed
audit-outcome = Outcome
audit-nobody = Nobody recognised
audit-also-checked = Also checked:
audit-attempts = { $count ->
    [one] one attempt
   *[other] { $count } attempts
}, the last { $last }
audit-event-sign-in = Sign-in
audit-event-sign-out = Sign-out
audit-event-lookup = Lookup
audit-event-audit-view = Audit trail read
audit-via-loopback = on this machine
audit-via-proxy = by the company's sign-on
audit-via-token = with a staff token
audit-via-bearer = with a staff token (a tool)
audit-via-console = by the console
audit-what-page = the order's page
audit-what-json = as JSON
audit-what-form = the lookup form
audit-what-jsonl = exported
audit-outcome-shown = Shown
audit-outcome-signed-in = Signed in
audit-outcome-wrong-token = Wrong token
audit-outcome-throttled = Refused: too many wrong tokens
audit-outcome-identity-refused = Refused: the sign-on's header could not be read
audit-outcome-signed-out = Signed out
audit-outcome-left-staff = Ended: left the staff
audit-outcome-new-token = Ended: given a new token
audit-outcome-nothing-stored = Nothing stored
audit-outcome-invalid = Not an order number
audit-outcome-refused = Refused by Vipps MobilePay
audit-outcome-unreachable = Vipps MobilePay unreachable
audit-outcome-timed-out = No answer in time
audit-outcome-unavailable = Vipps MobilePay failing
audit-outcome-failed = Failed
signin-too-many-all = That access token is not one of this console's, and this console has had too many wrong tokens in the last minute, so wrong ones are refused for { $seconds ->
    [one] one second
   *[other] { $seconds } seconds
}. Your own token still signs you in: check that you pasted all of it.
audit-outcome-not-auditor = Refused: not an auditor
trouble-stopping-title = The console is restarting
trouble-stopping-explanation = It was told to stop before Vipps MobilePay answered. Nothing was shown.
trouble-stopping-todo = Look the order up again in a moment.
trouble-audit-address-explanation = The address holds a field twice, or one the form cannot read (such as a page that is not a number), so nothing was selected.
# The shop's outbox: what the shop sends to Vipps MobilePay, and how far it got.
undelivered-link = Undelivered
deliveries-title = Sent from the shop
deliveries-hint = What the shop's outbox holds for this order: each receipt, link and image the shop sends to Vipps MobilePay, and how far it got. A delivery that failed is tried again by itself, for days, until it is delivered or fails for good.
deliveries-none = The shop's outbox holds nothing for this order.
delivery-enqueued = Queued
delivery-kind = What
delivery-state = State
delivery-last-error = Last problem
delivery-act = Action
delivery-kind-receipt = Receipt
delivery-kind-category = Link
delivery-kind-category-v3 = Extra link
delivery-kind-image = Image
delivery-state-pending = Waiting to be sent
delivery-state-retrying = Failed, will be tried again
delivery-state-delivered = Delivered
delivery-state-dead = Failed: needs someone to act
delivery-state-discarded = Set aside
delivery-tries = { $count ->
    [0] not tried yet
    [one] tried once
   *[other] tried { $count } times
}
delivery-next-try = next try { $at }
delivery-ended = ended { $at }
delivery-discarded-because = Set aside because:
delivery-was-stored = It was already there when the shop sent it.
delivery-stored = Stored at Vipps MobilePay.
delivery-retry = Try again now
delivery-retry-which = (delivery { $id })
undelivered-title = Undelivered
undelivered-intro = What the shop has not yet delivered to Vipps MobilePay, oldest first. Waiting ones are tried again by themselves; failed ones need someone to act: read the problem, fix its cause with the shop, then try again now.
undelivered-none = Everything the shop sent has been delivered.
undelivered-counts = { $count ->
    [one] One delivery
   *[other] { $count } deliveries
} not delivered, { $dead ->
    [0] none of them failed for good
    [one] one of them failed for good
   *[other] { $dead } of them failed for good
}.
undelivered-more = Only the oldest { $count } of { $total } are shown.
trouble-outbox-title = The shop's outbox cannot be read
trouble-outbox-explanation = The console could not reach the database that holds what the shop sends to Vipps MobilePay.
trouble-outbox-todo = Try again in a moment. If it goes on, tell whoever runs the shop's systems.
audit-event-delivery-retry = Delivery tried again
audit-what-undelivered = the undelivered
audit-outcome-retried = Tried again now
audit-outcome-already-delivered = Already delivered
audit-outcome-outbox-failed = The shop's outbox could not be read
undelivered-dead = Failed for good: someone must act
undelivered-pending = Waiting, tried again by themselves
