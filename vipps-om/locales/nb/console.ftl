# Kundeservicekonsollens ord, på norsk (bokmål). Alle språkfilene har de
# samme meldingene (en test sjekker det). Argumenter i { $klammer } fylles
# inn av konsollen: beløp og datoer allerede på språkets form.

console-name = Ordrestøtte
skip-to-content = Hopp til innholdet
nav-languages = Språk
signed-in-as = Logget inn som
sign-out = Logg ut
footer-read-only = Alt som vises, kommer fra Vipps MobilePays Order Management API (og butikkens utboks, når konsollen leser den). Ingenting her endrer det Vipps MobilePay har lagret.
none = ingen

## Beløp, mengder, satser, tidspunkter

money-nok = { $amount } kr
money-dkk = { $amount } DKK
money-eur = { $amount } €
money-other = { $amount } { $currency }
percent = { $value } %
quantity-pieces = { $quantity } stk.
quantity-kg = { $quantity } kg
quantity-km = { $quantity } km
quantity-minutes = { $quantity } min
quantity-litres = { $quantity } l
quantity-kwh = { $quantity } kWh
quantity-other = { $quantity } { $unit }
moment = { $local } (UTC{ $offset })

## Betalingstyper og typer lenker

payment-type-ecom = Betaling på nett eller i butikk (eCom / ePayment)
payment-type-recurring = Fast trekk (abonnement)
category-general = Generell lenke
category-receipt = Kvittering
category-order-confirmation = Ordrebekreftelse
category-delivery = Levering
category-ticket = Billett
category-booking = Bestilling

## Oppslag

lookup-title = Slå opp en ordre
lookup-payment-type = Type betaling
lookup-order-id = Ordrenummer
lookup-order-id-hint = Slik butikken eller kunden viser det. Mellomrom, # foran og usynlige tegn fjernes.
lookup-button = Slå opp
lookup-another = Slå opp en annen ordre

## Innlogging

signin-title = Logg inn
signin-token = Tilgangsnøkkelen din
signin-token-hint = Den personlige tilgangsnøkkelen du har fått til denne konsollen.
signin-button = Logg inn
signin-wrong-token = Den tilgangsnøkkelen hører ikke til denne konsollen. Sjekk at du limte inn hele din egen nøkkel.
signin-form-broken = Innloggingsskjemaet ble ikke sendt slik det skal. Last inn siden på nytt og prøv igjen.
signin-too-many = Den tilgangsnøkkelen hører ikke til denne konsollen, og { $count } feil nøkler har kommet fra nettverket ditt ({ $client }) det siste minuttet, så feil nøkler avvises i { $seconds ->
    [one] ett sekund
   *[other] { $seconds } sekunder
}. Din egen nøkkel logger deg fortsatt inn: sjekk at du limte inn hele.

## Ordresiden

order-title = Ordre { $order }
order-heading = Ordre
order-payment-type = Type betaling
order-looked-up = Slått opp
order-searched = Du søkte etter «{ $searched }»; slått opp som { $order }.
order-as-json = Denne ordren som JSON
not-held-title = Vises ikke her
not-held-text = Om betalingen er reservert, trukket, refundert eller kansellert, har ikke Order Management API. Se i bedriftsportalen (portal.vipps.no) eller i butikkens eget system.
receipt-title = Kvittering
receipt-final = En kvittering kan ikke endres etter at den er sendt: en senere retur eller rettelse vises ikke her. Butikken håndterer slikt i sitt eget system.
receipt-none = Butikken har ikke sendt kvittering for denne ordren.
receipt-lines = Kvitteringslinjer
receipt-sum = Sum
col-item = Vare
col-quantity = Antall
col-unit-price = Enhetspris
col-discount = Rabatt
col-vat-rate = Mva-sats
col-excluding-vat = Uten mva
col-vat = Mva
col-including-vat = Med mva
col-amount = Beløp
col-lines = Linjer
badge-shipping = Frakt
badge-returned = Returnert
badge-check = Sjekk
product-id = Varenummer
product-link = Produktside
old-field = (eldre felt)
sum-too-large = Summen er for stor til å vises; butikkens tall er feil.
vat-title = Mva per sats
vat-no-rate = Ingen sats oppgitt
vat-lines = { $count ->
    [one] { $count } linje
   *[other] { $count } linjer
}
facts-title = Mer om kvitteringen
fact-currency = Valuta
fact-receipt-number = Kvitteringsnummer
fact-barcode = Strekkode
fact-pos-id = Kasse-id
fact-tip = Tips
fact-paid-card = Betalt med kort
fact-paid-gift-card = Betalt med gavekort
fact-paid-voucher = Betalt med tilgodelapp
fact-paid-cash = Betalt kontant
fact-gift-card = Gavekort
fact-total = Totalt
fact-total-vat = Total mva
fact-total-discount = Total rabatt
fact-shipping = Frakt
fact-shipping-info = Fraktdetaljer
fact-terminal-id = Terminal-id
warning-summary = { $count ->
    [one] Tallene på én linje stemmer ikke. Linjen er merket nedenfor; kunden ser tallene slik butikken sendte dem.
   *[other] Tallene på { $count } linjer stemmer ikke. Linjene er merket nedenfor; kunden ser tallene slik butikken sendte dem.
}
warning-line = Sjekk «{ $line }»:
warning-sums = beløpet er ikke beløpet uten mva pluss mva.
warning-vat = mva er { $stated }, men mva-satsen gir { $expected }.
warning-total = beløpet er { $stated }, men enhetspris × antall − rabatt gir { $expected }.
link-title = Lenke som vises med betalingen
link-none = Butikken har ikke lagt inn en lenke for denne ordren.
link-kind = Type
link-address = Adresse
link-image = Bilde
link-id = Lenke-id
links-v3-title = Flere lenker som vises med betalingen
links-v3-hint = Lenker lagt inn gjennom det nyere grensesnittet; en betaling kan ha flere.
links-v3-none = Ingen.

## Problemer

trouble-instead = Disse har noe lagret:
trouble-error-id = Referanse til Vipps MobilePay kundeservice:
trouble-details = Tekniske detaljer
trouble-misdirected-title = Feil adresse
trouble-misdirected-explanation = Denne konsollen svarer bare på forespørsler adressert til denne maskinen (localhost eller 127.0.0.1).
trouble-misdirected-todo = Åpne den som http://localhost:PORT/ eller http://127.0.0.1:PORT/. For å nå den fra andre maskiner, start den med innlogging (--staff eller --identity-proxy) bak en TLS-proxy.
trouble-not-signed-on-title = Logg inn gjennom bedriftens innlogging
trouble-not-signed-on-explanation = Denne konsollen får vite hvem du er fra bedriftens felles innlogging, og denne forespørselen kom ikke gjennom den.
trouble-not-signed-on-todo = Åpne konsollen på adressen bedriften har gitt deg, som logger deg inn først.
trouble-other-site-title = Sendt fra et annet nettsted
trouble-other-site-explanation = Inn- og utlogging virker bare fra konsollens egne sider; denne forespørselen kom fra et annet nettsted.
trouble-other-site-todo = Åpne konsollens egen adresse og bruk knappene der.
trouble-audit-title = Oppslaget kunne ikke loggføres
trouble-audit-explanation = Hvert oppslag loggføres i revisjonsloggen før det vises, og konsollens database tar ikke imot nå. Ingenting ble vist.
trouble-audit-todo = Si fra til den som drifter konsollen: databasen kan ikke skrives (full disk, rettigheter eller databaseserveren).
trouble-no-page-title = Siden finnes ikke
trouble-no-page-explanation = Det finnes ingen slik side i kundeservicekonsollen.
trouble-no-page-todo = Begynn på nytt fra oppslagsskjemaet.
trouble-invalid-id-title = Dette er ikke et ordrenummer
trouble-invalid-id-explanation = Du søkte etter «{ $searched }», som ikke kan være et ordrenummer: { $reason }
id-problem-empty = ingenting er igjen når mellomrom og usynlige tegn er fjernet.
id-problem-dots = «.» og «..» er ikke ordrenumre.
id-problem-long = det er lenger enn { $max } tegn.
id-problem-chars = det inneholder { $chars }, som ordrenumre ikke kan ha.
trouble-invalid-id-todo = Ordrenumre har bare bokstavene A–Z og a–z, sifre, «-», «_» og «.»; kopier det på nytt fra butikkens e-post eller adminside.
trouble-form-title = Oppslagsskjemaet er ikke fylt ut
trouble-form-explanation = Det trenger én type betaling og ett ordrenummer.
trouble-form-todo = Fyll ut skjemaet nedenfor og slå opp igjen.
trouble-payment-type-title = Ukjent type betaling
trouble-payment-type-explanation = «{ $given }» er ikke en type betaling denne konsollen kjenner.
trouble-payment-type-todo = Velg type betaling i skjemaet: betaling på nett eller i butikk, eller fast trekk.
trouble-nothing-title = Ingenting lagret for denne ordren
trouble-nothing-explanation = Vipps MobilePay har ingen kvittering og ingen lenke for ordre { $order } ({ $kind }).
trouble-nothing-todo = Sjekk ordrenummeret (store og små bokstaver er forskjellige) og type betaling. Stemmer de, har butikken ikke sendt noe for denne ordren: spør butikkens tekniske kontakt. Vipps MobilePay kundeservice kan ikke legge det til.
trouble-keys-title = Butikkens nøkler mangler tilgang
trouble-keys-explanation = Vipps MobilePay avviste butikkens API-nøkler, eller de har ikke tilgang til ordreinformasjon for dette salgsstedet. Det er ikke noe galt med ordren.
trouble-keys-todo = Be den som styrer butikkens Vipps MobilePay-oppsett om å sjekke API-nøklene og brukerstedsnummeret i bedriftsportalen (portal.vipps.no).
trouble-unreachable-title = Vipps MobilePay kan ikke nås herfra
trouble-unreachable-explanation = Konsollen fikk ikke kontakt med Order Management API i det hele tatt: ingenting svarte. Dette er et nettverks- eller oppsettsproblem hos konsollen, ikke at Vipps MobilePay er opptatt.
trouble-unreachable-todo = Si fra til den som drifter konsollen: sjekk nettverket, proxyen og API-adressen.
trouble-slow-title = Vipps MobilePay svarte ikke i tide
trouble-slow-explanation = Ordreinformasjonen ble spurt etter, men svaret kom ikke i tide.
trouble-slow-todo = Prøv igjen om et minutt. Skjer det igjen, sjekk status.vipps.no.
trouble-unavailable-title = Vipps MobilePay er opptatt eller har feil
trouble-unavailable-explanation = Order Management API svarte at den ikke kan svare på forespørselen nå.
trouble-unavailable-todo = Prøv igjen om noen minutter og sjekk status.vipps.no. Varer det, kontakt Vipps MobilePay kundeservice, med referansen når en vises nedenfor.
trouble-rejected-title = Vipps MobilePay avviste oppslaget
trouble-rejected-explanation = Ordrenummeret eller typen betaling er ikke en API-et godtar.
trouble-rejected-todo = Sjekk ordrenummeret og typen betaling.
trouble-unexpected-title = Vipps MobilePay svarte uventet
trouble-unexpected-explanation = Ordreinformasjonen kunne ikke leses.
trouble-unexpected-todo = Prøv igjen senere; varer det, kontakt Vipps MobilePay kundeservice med de tekniske detaljene nedenfor (og referansen, når en vises).
warning-out-of-range = enhetspris × antall − rabatt er større enn noe beløp kan være, så det kan ikke være dette beløpet.
warning-quantity = antallet er ikke et tall slik kvitteringer skriver dem, så beløpet kan ikke sjekkes mot det.
warning-rate = mva-satsen er utenfor 0 % til 100 %.
id-problem-not-text = adressen inneholder byte som ikke er tekst.
trouble-too-large-title = For mye ble sendt
trouble-too-large-explanation = Konsollen tar imot høyst 16 KiB i en forespørsel; denne var større.
trouble-too-large-todo = Gå tilbake og send skjemaet på nytt slik det er.
trouble-too-slow-title = Forespørselen kom ikke fram i tide
trouble-too-slow-explanation = Konsollen venter 10 sekunder på at en forespørsel kommer hel fram; denne gjorde ikke det.
trouble-too-slow-todo = Sjekk nettverkstilkoblingen og prøv igjen.
trouble-wrong-method-title = Denne adressen gjør ikke det
trouble-wrong-method-explanation = Denne siden kan ikke åpnes på denne måten (utlogging skjer for eksempel med knappen på hver side).
trouble-wrong-method-todo = Begynn på nytt fra oppslagsskjemaet.

## The payment, the slow notice, sign-on, the audit trail

unit-kg = kg
unit-km = km
unit-minute = min
unit-litre = l
unit-kwh = kWh
unit-price-per = { $price } per { $unit }
paid-title = Betaling
paid-lines = Kvitteringslinjer
paid-total = Totalt betalt
paid-sources-match = Betalingsmåtene summerer seg til totalt betalt.
paid-sources-differ = Betalingsmåtene summerer seg til { $sources }, men kvitteringslinjene og tipset utgjør { $total }. Kunden ser kvitteringen slik butikken sendte den; spør butikken om det har betydning.
paid-no-sources = Butikken oppga ikke hvordan det ble betalt.
order-waiting = Vipps MobilePay svarer tregt. Ordren vises her så snart svaret kommer; du trenger ikke laste siden på nytt.
order-who-looked = Hvem har sett på denne ordren
signed-on-title = Logget inn via bedriftens pålogging
signed-on-text = Du er logget inn i konsollen via bedriftens felles pålogging (single sign-on). Logg ut av bedriftens pålogging for å logge ut (eller lukk nettleseren); konsollen har ingen egen innlogging for deg.
audit-link = Revisjonslogg
trouble-identity-title = Påloggingen kunne ikke leses
trouble-identity-explanation = Bedriftens pålogging sendte denne forespørselen med hvem du er i en form konsollen ikke godtar (oppgitt to ganger, eller ikke som tekst). Ingenting ble vist.
trouble-identity-todo = Si fra til den som drifter påloggingen: den må erstatte headeren som navngir personen, aldri legge til en som nettleseren sendte.
trouble-store-title = Konsollen når ikke databasen sin
trouble-store-explanation = Innlogginger og revisjonsloggen lagres i konsollens database, og den svarte ikke. Ingenting ble vist.
trouble-store-todo = Prøv igjen om et minutt; hvis det fortsetter å feile, si fra til den som drifter konsollen: databasen kan ikke nås.
trouble-not-auditor-title = Revisjonsloggen er for revisorer
trouble-not-auditor-explanation = Bare personer med revisorrollen (i personallisten, eller i revisorgruppen i bedriftens pålogging) kan lese hvem som så på hva.
trouble-not-auditor-todo = Spør den som drifter konsollen, hvis arbeidet ditt krever det.
trouble-audit-form-title = Skjemaet for revisjonsloggen kunne ikke leses
trouble-audit-form-explanation = Feltet «{ $field }» inneholder noe skjemaet ikke godtar.
trouble-audit-form-todo = Oppgi dager som 2026-12-07 (eller et tidspunkt som 2026-12-07T13:45), og velg fra listene.
audit-title = Revisjonslogg
audit-hint = Hver innlogging, avvisning, oppslag og utlogging på alle instanser av denne konsollen, nyeste først. Tidene er i { $zone }.
audit-any = Alle
audit-who = Hvem
audit-event = Hendelse
audit-from = Fra (dag)
audit-until = Til (dag, medregnet)
audit-show = Vis
audit-export = Last ned disse oppføringene (JSON lines)
audit-none = Ingen oppføringer passer.
audit-older = Eldre oppføringer
audit-time = Tid
audit-client = Klientadresse
audit-order = Ordre
audit-typed = Skrevet inn
audit-outcome = Utfall
audit-nobody = Ingen gjenkjent
audit-also-checked = Også sjekket:
audit-attempts = { $count ->
    [one] ett forsøk
   *[other] { $count } forsøk
}, det siste { $last }
audit-event-sign-in = Innlogging
audit-event-sign-out = Utlogging
audit-event-lookup = Oppslag
audit-event-audit-view = Revisjonsloggen lest
audit-via-loopback = på denne maskinen
audit-via-proxy = via bedriftens pålogging
audit-via-token = med personlig nøkkel
audit-via-bearer = med personlig nøkkel (et verktøy)
audit-via-console = av konsollen
audit-what-page = ordresiden
audit-what-json = som JSON
audit-what-form = oppslagsskjemaet
audit-what-jsonl = eksportert
audit-outcome-shown = Vist
audit-outcome-signed-in = Logget inn
audit-outcome-wrong-token = Feil nøkkel
audit-outcome-throttled = Avvist: for mange feil nøkler
audit-outcome-identity-refused = Avvist: påloggingens header kunne ikke leses
audit-outcome-signed-out = Logget ut
audit-outcome-left-staff = Avsluttet: ikke lenger ansatt
audit-outcome-new-token = Avsluttet: fikk ny nøkkel
audit-outcome-nothing-stored = Ingenting lagret
audit-outcome-invalid = Ikke et ordrenummer
audit-outcome-refused = Avvist av Vipps MobilePay
audit-outcome-unreachable = Vipps MobilePay kunne ikke nås
audit-outcome-timed-out = Ikke svar i tide
audit-outcome-unavailable = Vipps MobilePay feiler
audit-outcome-failed = Feilet
signin-too-many-all = Den tilgangsnøkkelen hører ikke til denne konsollen, og konsollen har fått for mange feil nøkler det siste minuttet, så feil nøkler avvises i { $seconds ->
    [one] ett sekund
   *[other] { $seconds } sekunder
}. Din egen nøkkel logger deg fortsatt inn: sjekk at du limte inn hele.
audit-outcome-not-auditor = Avvist: ikke revisor
trouble-stopping-title = Konsollen starter på nytt
trouble-stopping-explanation = Den ble bedt om å stoppe før Vipps MobilePay svarte. Ingenting ble vist.
trouble-stopping-todo = Slå opp ordren igjen om et øyeblikk.
trouble-audit-address-explanation = Adressen har et felt to ganger, eller et skjemaet ikke kan lese (som en side som ikke er et tall), så ingenting ble valgt ut.
# Butikkens utboks: det butikken sender til Vipps MobilePay, og hvor langt det kom.
undelivered-link = Ikke levert
deliveries-title = Sendt fra butikken
deliveries-hint = Det butikkens utboks har for denne ordren: hver kvittering, lenke og hvert bilde butikken sender til Vipps MobilePay, og hvor langt det kom. En levering som feilet, prøves igjen av seg selv i dager, til den er levert eller feiler for godt.
deliveries-none = Butikkens utboks har ingenting for denne ordren.
delivery-enqueued = Lagt i kø
delivery-kind = Hva
delivery-state = Status
delivery-last-error = Siste problem
delivery-act = Handling
delivery-kind-receipt = Kvittering
delivery-kind-category = Lenke
delivery-kind-category-v3 = Ekstra lenke
delivery-kind-image = Bilde
delivery-state-pending = Venter på å bli sendt
delivery-state-retrying = Feilet, prøves igjen
delivery-state-delivered = Levert
delivery-state-dead = Feilet: noen må gjøre noe
delivery-state-discarded = Lagt til side
delivery-tries = { $count ->
    [0] ikke prøvd ennå
    [one] prøvd én gang
   *[other] prøvd { $count } ganger
}
delivery-next-try = neste forsøk { $at }
delivery-ended = avsluttet { $at }
delivery-discarded-because = Lagt til side fordi:
delivery-was-stored = Den var der allerede da butikken sendte den.
delivery-stored = Lagret hos Vipps MobilePay.
delivery-retry = Prøv igjen nå
delivery-retry-which = (levering { $id })
undelivered-title = Ikke levert
undelivered-intro = Det butikken ennå ikke har levert til Vipps MobilePay, eldste først. De som venter, prøves igjen av seg selv; de som har feilet, trenger at noen gjør noe: les problemet, rett årsaken sammen med butikken, og prøv igjen nå.
undelivered-none = Alt butikken har sendt, er levert.
undelivered-counts = { $count ->
    [one] Én levering
   *[other] { $count } leveringer
} ikke levert, { $dead ->
    [0] ingen av dem har feilet for godt
    [one] én av dem har feilet for godt
   *[other] { $dead } av dem har feilet for godt
}.
undelivered-more = Bare de { $count } eldste av { $total } vises.
trouble-outbox-title = Butikkens utboks kan ikke leses
trouble-outbox-explanation = Konsollen nådde ikke databasen som har det butikken sender til Vipps MobilePay.
trouble-outbox-todo = Prøv igjen om litt. Hvis det fortsetter, si fra til dem som drifter butikkens systemer.
audit-event-delivery-retry = Levering prøvd igjen
audit-what-undelivered = det som ikke er levert
audit-outcome-retried = Prøvd igjen nå
audit-outcome-already-delivered = Allerede levert
audit-outcome-outbox-failed = Butikkens utboks kunne ikke leses
undelivered-dead = Feilet for godt: noen må gjøre noe
undelivered-pending = Venter, prøves igjen av seg selv
