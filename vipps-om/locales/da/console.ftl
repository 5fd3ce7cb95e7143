# Kundeservicekonsollens ord, på dansk. Alle sprogfilerne har de samme
# beskeder (en test tjekker det). Argumenter i { $klammer } udfyldes af
# konsollen: beløb og datoer allerede på sprogets form.

console-name = Ordresupport
skip-to-content = Spring til indholdet
nav-languages = Sprog
signed-in-as = Logget ind som
sign-out = Log ud
footer-read-only = Alt, der vises, kommer fra Vipps MobilePays Order Management API (og butikkens udbakke, når konsollen læser den). Intet her ændrer det, Vipps MobilePay har gemt.
none = ingen

## Beløb, mængder, satser, tidspunkter

money-nok = { $amount } NOK
money-dkk = { $amount } kr.
money-eur = { $amount } €
money-other = { $amount } { $currency }
percent = { $value } %
quantity-pieces = { $quantity } stk.
quantity-kg = { $quantity } kg
quantity-km = { $quantity } km
quantity-minutes = { $quantity } min.
quantity-litres = { $quantity } l
quantity-kwh = { $quantity } kWh
quantity-other = { $quantity } { $unit }
moment = { $local } (UTC{ $offset })

## Betalingstyper og typer links

payment-type-ecom = Betaling online eller i butik (eCom / ePayment)
payment-type-recurring = Fast betaling (abonnement)
category-general = Generelt link
category-receipt = Kvittering
category-order-confirmation = Ordrebekræftelse
category-delivery = Levering
category-ticket = Billet
category-booking = Booking

## Opslag

lookup-title = Slå en ordre op
lookup-payment-type = Betalingstype
lookup-order-id = Ordrenummer
lookup-order-id-hint = Som butikken eller kunden viser det. Mellemrum, # foran og usynlige tegn fjernes.
lookup-button = Slå op
lookup-another = Slå en anden ordre op

## Log ind

signin-title = Log ind
signin-token = Din adgangsnøgle
signin-token-hint = Den personlige adgangsnøgle, du har fået til denne konsol.
signin-button = Log ind
signin-wrong-token = Den adgangsnøgle hører ikke til denne konsol. Tjek, at du har indsat hele din egen nøgle.
signin-form-broken = Log ind-formularen blev ikke sendt, som den skal. Genindlæs siden, og prøv igen.
signin-too-many = Den adgangsnøgle hører ikke til denne konsol, og { $count } forkerte nøgler er kommet fra dit netværk ({ $client }) inden for det sidste minut, så forkerte nøgler afvises i { $seconds ->
    [one] et sekund
   *[other] { $seconds } sekunder
}. Din egen nøgle logger dig stadig ind: tjek, at du har indsat hele.

## Ordresiden

order-title = Ordre { $order }
order-heading = Ordre
order-payment-type = Betalingstype
order-looked-up = Slået op
order-searched = Du søgte efter »{ $searched }«; slået op som { $order }.
order-as-json = Denne ordre som JSON
not-held-title = Vises ikke her
not-held-text = Om betalingen er reserveret, hævet, refunderet eller annulleret, har Order Management API ikke. Se i erhvervsportalen (portal.vipps.no) eller i butikkens eget system.
receipt-title = Kvittering
receipt-final = En kvittering kan ikke ændres, når den er sendt: en senere returnering eller rettelse vises ikke her. Butikken håndterer den slags i sit eget system.
receipt-none = Butikken har ikke sendt en kvittering for denne ordre.
receipt-lines = Kvitteringslinjer
receipt-sum = I alt
col-item = Vare
col-quantity = Antal
col-unit-price = Enhedspris
col-discount = Rabat
col-vat-rate = Momssats
col-excluding-vat = Uden moms
col-vat = Moms
col-including-vat = Med moms
col-amount = Beløb
col-lines = Linjer
badge-shipping = Fragt
badge-returned = Returneret
badge-check = Tjek
product-id = Varenummer
product-link = Produktside
old-field = (ældre felt)
sum-too-large = Summen er for stor til at blive vist; butikkens tal er forkerte.
vat-title = Moms pr. sats
vat-no-rate = Ingen sats angivet
vat-lines = { $count ->
    [one] { $count } linje
   *[other] { $count } linjer
}
facts-title = Mere om kvitteringen
fact-currency = Valuta
fact-receipt-number = Kvitteringsnummer
fact-barcode = Stregkode
fact-pos-id = Kasse-id
fact-tip = Drikkepenge
fact-paid-card = Betalt med kort
fact-paid-gift-card = Betalt med gavekort
fact-paid-voucher = Betalt med tilgodebevis
fact-paid-cash = Betalt kontant
fact-gift-card = Gavekort
fact-total = I alt
fact-total-vat = Moms i alt
fact-total-discount = Rabat i alt
fact-shipping = Fragt
fact-shipping-info = Fragtdetaljer
fact-terminal-id = Terminal-id
warning-summary = { $count ->
    [one] Tallene på én linje stemmer ikke. Linjen er markeret nedenfor; kunden ser tallene, som butikken sendte dem.
   *[other] Tallene på { $count } linjer stemmer ikke. Linjerne er markeret nedenfor; kunden ser tallene, som butikken sendte dem.
}
warning-line = Tjek »{ $line }«:
warning-sums = beløbet er ikke beløbet uden moms plus momsen.
warning-vat = momsen er { $stated }, men momssatsen giver { $expected }.
warning-total = beløbet er { $stated }, men enhedspris × antal − rabat giver { $expected }.
link-title = Link, der vises med betalingen
link-none = Butikken har ikke sat et link for denne ordre.
link-kind = Type
link-address = Adresse
link-image = Billede
link-id = Link-id
links-v3-title = Flere links, der vises med betalingen
links-v3-hint = Links tilføjet gennem den nyere grænseflade; en betaling kan have flere.
links-v3-none = Ingen.

## Problemer

trouble-instead = Disse har noget gemt:
trouble-error-id = Reference til Vipps MobilePays kundeservice:
trouble-details = Tekniske detaljer
trouble-misdirected-title = Forkert adresse
trouble-misdirected-explanation = Denne konsol svarer kun på forespørgsler adresseret til denne maskine (localhost eller 127.0.0.1).
trouble-misdirected-todo = Åbn den som http://localhost:PORT/ eller http://127.0.0.1:PORT/. For at nå den fra andre maskiner skal den startes med log ind (--staff eller --identity-proxy) bag en TLS-proxy.
trouble-not-signed-on-title = Log ind via virksomhedens log ind
trouble-not-signed-on-explanation = Denne konsol får at vide, hvem du er, fra virksomhedens fælles log ind, og denne forespørgsel kom ikke gennem den.
trouble-not-signed-on-todo = Åbn konsollen på den adresse, virksomheden har givet dig, som logger dig ind først.
trouble-other-site-title = Sendt fra et andet websted
trouble-other-site-explanation = Log ind og log ud virker kun fra konsollens egne sider; denne forespørgsel kom fra et andet websted.
trouble-other-site-todo = Åbn konsollens egen adresse, og brug knapperne der.
trouble-audit-title = Opslaget kunne ikke logges
trouble-audit-explanation = Hvert opslag logges i revisionsloggen, før det vises, og konsollens database kan ikke tage imod lige nu. Intet blev vist.
trouble-audit-todo = Sig det til den, der driver konsollen: databasen kan ikke skrives (fuld disk, rettigheder eller databaseserveren).
trouble-no-page-title = Siden findes ikke
trouble-no-page-explanation = Der er ingen sådan side i kundeservicekonsollen.
trouble-no-page-todo = Begynd forfra fra opslagsformularen.
trouble-invalid-id-title = Dette er ikke et ordrenummer
trouble-invalid-id-explanation = Du søgte efter »{ $searched }«, som ikke kan være et ordrenummer: { $reason }
id-problem-empty = intet er tilbage, når mellemrum og usynlige tegn er fjernet.
id-problem-dots = ».« og »..« er ikke ordrenumre.
id-problem-long = det er længere end { $max } tegn.
id-problem-chars = det indeholder { $chars }, som ordrenumre ikke kan have.
trouble-invalid-id-todo = Ordrenumre har kun bogstaverne A–Z og a–z, cifre, »-«, »_« og ».«; kopier det igen fra butikkens e-mail eller adminside.
trouble-form-title = Opslagsformularen er ikke udfyldt
trouble-form-explanation = Den skal have én betalingstype og ét ordrenummer.
trouble-form-todo = Udfyld formularen nedenfor, og slå op igen.
trouble-payment-type-title = Ukendt betalingstype
trouble-payment-type-explanation = »{ $given }« er ikke en betalingstype, denne konsol kender.
trouble-payment-type-todo = Vælg betalingstype i formularen: betaling online eller i butik, eller fast betaling.
trouble-nothing-title = Intet gemt for denne ordre
trouble-nothing-explanation = Vipps MobilePay har ingen kvittering og intet link for ordre { $order } ({ $kind }).
trouble-nothing-todo = Tjek ordrenummeret (store og små bogstaver er forskellige) og betalingstypen. Passer de, har butikken ikke sendt noget for denne ordre: spørg butikkens tekniske kontakt. Vipps MobilePays kundeservice kan ikke tilføje det.
trouble-keys-title = Butikkens nøgler mangler adgang
trouble-keys-explanation = Vipps MobilePay afviste butikkens API-nøgler, eller de har ikke adgang til ordreoplysninger for dette salgssted. Der er intet galt med ordren.
trouble-keys-todo = Bed den, der styrer butikkens Vipps MobilePay-opsætning, om at tjekke API-nøglerne og forretningsnummeret i erhvervsportalen (portal.vipps.no).
trouble-unreachable-title = Vipps MobilePay kan ikke nås herfra
trouble-unreachable-explanation = Konsollen kunne slet ikke få forbindelse til Order Management API: intet svarede. Det er et netværks- eller opsætningsproblem hos konsollen, ikke fordi Vipps MobilePay har travlt.
trouble-unreachable-todo = Sig det til den, der driver konsollen: tjek netværket, proxyen og API-adressen.
trouble-slow-title = Vipps MobilePay svarede ikke i tide
trouble-slow-explanation = Der blev spurgt efter ordreoplysningerne, men svaret kom ikke i tide.
trouble-slow-todo = Prøv igen om et minut. Sker det igen, så tjek status.vipps.no.
trouble-unavailable-title = Vipps MobilePay har travlt eller fejler
trouble-unavailable-explanation = Order Management API svarede, at den ikke kan besvare forespørgslen lige nu.
trouble-unavailable-todo = Prøv igen om nogle minutter, og tjek status.vipps.no. Varer det ved, så kontakt Vipps MobilePays kundeservice, med referencen, når en vises nedenfor.
trouble-rejected-title = Vipps MobilePay afviste opslaget
trouble-rejected-explanation = Ordrenummeret eller betalingstypen er ikke en, API'et accepterer.
trouble-rejected-todo = Tjek ordrenummeret og betalingstypen.
trouble-unexpected-title = Vipps MobilePay svarede uventet
trouble-unexpected-explanation = Ordreoplysningerne kunne ikke læses.
trouble-unexpected-todo = Prøv igen senere; varer det ved, så kontakt Vipps MobilePays kundeservice med de tekniske detaljer nedenfor (og referencen, når en vises).
warning-out-of-range = enhedspris × antal − rabat er større, end noget beløb kan være, så det kan ikke være dette beløb.
warning-quantity = antallet er ikke et tal, som kvitteringer skriver dem, så beløbet kan ikke tjekkes mod det.
warning-rate = momssatsen er uden for 0 % til 100 %.
id-problem-not-text = adressen indeholder byte, der ikke er tekst.
trouble-too-large-title = Der blev sendt for meget
trouble-too-large-explanation = Konsollen tager højst imod 16 KiB i en forespørgsel; denne var større.
trouble-too-large-todo = Gå tilbage, og send formularen igen, som den er.
trouble-too-slow-title = Forespørgslen kom ikke frem i tide
trouble-too-slow-explanation = Konsollen venter 10 sekunder på, at en forespørgsel kommer hel frem; det gjorde denne ikke.
trouble-too-slow-todo = Tjek netværksforbindelsen, og prøv igen.
trouble-wrong-method-title = Denne adresse gør ikke det
trouble-wrong-method-explanation = Denne side kan ikke åbnes på denne måde (du logger for eksempel ud med knappen på hver side).
trouble-wrong-method-todo = Begynd forfra fra opslagsformularen.

## The payment, the slow notice, sign-on, the audit trail

unit-kg = kg
unit-km = km
unit-minute = min.
unit-litre = l
unit-kwh = kWh
unit-price-per = { $price } pr. { $unit }
paid-title = Betaling
paid-lines = Kvitteringslinjer
paid-total = Betalt i alt
paid-sources-match = Betalingsmåderne giver tilsammen det betalte beløb.
paid-sources-differ = Betalingsmåderne giver tilsammen { $sources }, men kvitteringslinjerne og drikkepengene giver { $total }. Kunden ser kvitteringen, som butikken sendte den; spørg butikken, om det betyder noget.
paid-no-sources = Butikken oplyste ikke, hvordan der blev betalt.
order-waiting = Vipps MobilePay svarer langsomt. Ordren vises her, så snart svaret kommer; du behøver ikke genindlæse siden.
order-who-looked = Hvem har set på denne ordre
signed-on-title = Logget ind via virksomhedens login
signed-on-text = Du er logget ind i konsollen via virksomhedens fælles login (single sign-on). Log ud af virksomhedens login for at logge ud (eller luk browseren); konsollen har ikke sit eget login for dig.
audit-link = Revisionslog
trouble-identity-title = Login kunne ikke læses
trouble-identity-explanation = Virksomhedens login sendte denne forespørgsel med, hvem du er, i en form, konsollen ikke tager imod (angivet to gange eller ikke som tekst). Intet blev vist.
trouble-identity-todo = Sig det til den, der driver login: det skal erstatte den header, der navngiver personen, aldrig tilføje til en, som browseren sendte.
trouble-store-title = Konsollen kan ikke nå sin database
trouble-store-explanation = Logins og revisionsloggen gemmes i konsollens database, og den svarede ikke. Intet blev vist.
trouble-store-todo = Prøv igen om et minut; hvis det bliver ved med at fejle, så sig det til den, der driver konsollen: databasen kan ikke nås.
trouble-not-auditor-title = Revisionsloggen er for revisorer
trouble-not-auditor-explanation = Kun personer med revisorrollen (i personalefilen eller i revisorgruppen i virksomhedens login) må læse, hvem der så på hvad.
trouble-not-auditor-todo = Spørg den, der driver konsollen, hvis dit arbejde kræver det.
trouble-audit-form-title = Revisionsloggens formular kunne ikke læses
trouble-audit-form-explanation = Feltet “{ $field }” indeholder noget, formularen ikke tager imod.
trouble-audit-form-todo = Angiv dage som 2026-12-07 (eller et tidspunkt som 2026-12-07T13:45), og vælg fra listerne.
audit-title = Revisionslog
audit-hint = Hvert login, hver afvisning, hvert opslag og hvert logout på alle instanser af denne konsol, nyeste først. Tiderne er i { $zone }.
audit-any = Alle
audit-who = Hvem
audit-event = Hændelse
audit-from = Fra (dag)
audit-until = Til (dag, medregnet)
audit-show = Vis
audit-export = Download disse poster (JSON lines)
audit-none = Ingen poster passer.
audit-older = Ældre poster
audit-time = Tidspunkt
audit-client = Klientadresse
audit-order = Ordre
audit-typed = Indtastet
audit-outcome = Resultat
audit-nobody = Ingen genkendt
audit-also-checked = Også tjekket:
audit-attempts = { $count ->
    [one] et forsøg
   *[other] { $count } forsøg
}, det seneste { $last }
audit-event-sign-in = Login
audit-event-sign-out = Logout
audit-event-lookup = Opslag
audit-event-audit-view = Revisionsloggen læst
audit-via-loopback = på denne maskine
audit-via-proxy = via virksomhedens login
audit-via-token = med personlig nøgle
audit-via-bearer = med personlig nøgle (et værktøj)
audit-via-console = af konsollen
audit-what-page = ordresiden
audit-what-json = som JSON
audit-what-form = opslagsformularen
audit-what-jsonl = eksporteret
audit-outcome-shown = Vist
audit-outcome-signed-in = Logget ind
audit-outcome-wrong-token = Forkert nøgle
audit-outcome-throttled = Afvist: for mange forkerte nøgler
audit-outcome-identity-refused = Afvist: loginets header kunne ikke læses
audit-outcome-signed-out = Logget ud
audit-outcome-left-staff = Afsluttet: ikke længere ansat
audit-outcome-new-token = Afsluttet: fik ny nøgle
audit-outcome-nothing-stored = Intet gemt
audit-outcome-invalid = Ikke et ordrenummer
audit-outcome-refused = Afvist af Vipps MobilePay
audit-outcome-unreachable = Vipps MobilePay kunne ikke nås
audit-outcome-timed-out = Intet svar i tide
audit-outcome-unavailable = Vipps MobilePay fejler
audit-outcome-failed = Fejlede
signin-too-many-all = Den adgangsnøgle hører ikke til denne konsol, og konsollen har fået for mange forkerte nøgler inden for det sidste minut, så forkerte nøgler afvises i { $seconds ->
    [one] et sekund
   *[other] { $seconds } sekunder
}. Din egen nøgle logger dig stadig ind: tjek, at du har indsat hele.
audit-outcome-not-auditor = Afvist: ikke revisor
trouble-stopping-title = Konsollen genstarter
trouble-stopping-explanation = Den blev bedt om at stoppe, før Vipps MobilePay svarede. Intet blev vist.
trouble-stopping-todo = Slå ordren op igen om et øjeblik.
trouble-audit-address-explanation = Adressen har et felt to gange eller et, formularen ikke kan læse (som en side, der ikke er et tal), så intet blev valgt.
# Butikkens udbakke: det butikken sender til Vipps MobilePay, og hvor langt det nåede.
undelivered-link = Ikke leveret
deliveries-title = Sendt fra butikken
deliveries-hint = Det butikkens udbakke har for denne ordre: hver kvittering, link og hvert billede butikken sender til Vipps MobilePay, og hvor langt det nåede. En levering, der fejlede, prøves igen af sig selv i dagevis, til den er leveret eller fejler for godt.
deliveries-none = Butikkens udbakke har intet for denne ordre.
delivery-enqueued = Sat i kø
delivery-kind = Hvad
delivery-state = Status
delivery-last-error = Seneste problem
delivery-act = Handling
delivery-kind-receipt = Kvittering
delivery-kind-category = Link
delivery-kind-category-v3 = Ekstra link
delivery-kind-image = Billede
delivery-state-pending = Venter på at blive sendt
delivery-state-retrying = Fejlede, prøves igen
delivery-state-delivered = Leveret
delivery-state-dead = Fejlede: nogen skal handle
delivery-state-discarded = Lagt til side
delivery-tries = { $count ->
    [0] ikke prøvet endnu
    [one] prøvet én gang
   *[other] prøvet { $count } gange
}
delivery-next-try = næste forsøg { $at }
delivery-ended = afsluttet { $at }
delivery-discarded-because = Lagt til side fordi:
delivery-was-stored = Den var der allerede, da butikken sendte den.
delivery-stored = Gemt hos Vipps MobilePay.
delivery-retry = Prøv igen nu
delivery-retry-which = (levering { $id })
undelivered-title = Ikke leveret
undelivered-intro = Det butikken endnu ikke har leveret til Vipps MobilePay, ældste først. De ventende prøves igen af sig selv; de fejlede kræver, at nogen handler: læs problemet, ret årsagen sammen med butikken, og prøv igen nu.
undelivered-none = Alt hvad butikken har sendt, er leveret.
undelivered-counts = { $count ->
    [one] Én levering
   *[other] { $count } leveringer
} ikke leveret, { $dead ->
    [0] ingen af dem er fejlet for godt
    [one] én af dem er fejlet for godt
   *[other] { $dead } af dem er fejlet for godt
}.
undelivered-more = Kun de { $count } ældste af { $total } vises.
trouble-outbox-title = Butikkens udbakke kan ikke læses
trouble-outbox-explanation = Konsollen nåede ikke den database, der har det butikken sender til Vipps MobilePay.
trouble-outbox-todo = Prøv igen om lidt. Hvis det fortsætter, så sig det til dem, der driver butikkens systemer.
audit-event-delivery-retry = Levering prøvet igen
audit-what-undelivered = det ikke leverede
audit-outcome-retried = Prøvet igen nu
audit-outcome-already-delivered = Allerede leveret
audit-outcome-outbox-failed = Butikkens udbakke kunne ikke læses
undelivered-dead = Fejlet for godt: nogen skal handle
undelivered-pending = Venter, prøves igen af sig selv
