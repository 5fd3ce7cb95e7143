# Asiakaspalvelukonsolin sanat suomeksi. Kaikissa kielitiedostoissa on
# samat viestit (testi tarkistaa sen). { $aaltosulkeissa } olevat
# argumentit konsoli täyttää: summat ja päivämäärät valmiiksi kielen muodossa.

console-name = Tilaustuki
skip-to-content = Siirry sisältöön
nav-languages = Kieli
signed-in-as = Kirjautuneena
sign-out = Kirjaudu ulos
footer-read-only = Kaikki näytetty tulee Vipps MobilePayn Order Management API:sta (ja kaupan lähtevät-jonosta, kun konsoli lukee sitä). Mikään täällä ei muuta sitä, mitä Vipps MobilePay on tallentanut.
none = ei mitään

## Summat, määrät, verokannat, ajat

money-nok = { $amount } NOK
money-dkk = { $amount } DKK
money-eur = { $amount } €
money-other = { $amount } { $currency }
percent = { $value } %
quantity-pieces = { $quantity } kpl
quantity-kg = { $quantity } kg
quantity-km = { $quantity } km
quantity-minutes = { $quantity } min
quantity-litres = { $quantity } l
quantity-kwh = { $quantity } kWh
quantity-other = { $quantity } { $unit }
moment = { $local } (UTC{ $offset })

## Maksutyypit ja linkkien lajit

payment-type-ecom = Verkko- tai myymälämaksu (eCom / ePayment)
payment-type-recurring = Toistuva veloitus (tilaus)
category-general = Yleinen linkki
category-receipt = Kuitti
category-order-confirmation = Tilausvahvistus
category-delivery = Toimitus
category-ticket = Lippu
category-booking = Varaus

## Haku

lookup-title = Hae tilaus
lookup-payment-type = Maksun tyyppi
lookup-order-id = Tilausnumero
lookup-order-id-hint = Kuten kauppa tai asiakas sen näyttää. Välilyönnit, alun # ja näkymättömät merkit poistetaan.
lookup-button = Hae
lookup-another = Hae toinen tilaus

## Kirjautuminen

signin-title = Kirjaudu sisään
signin-token = Käyttöavaimesi
signin-token-hint = Henkilökohtainen käyttöavain, jonka sait tähän konsoliin.
signin-button = Kirjaudu
signin-wrong-token = Tämä käyttöavain ei kuulu tähän konsoliin. Tarkista, että liitit koko oman avaimesi.
signin-form-broken = Kirjautumislomaketta ei lähetetty oikein. Lataa sivu uudelleen ja yritä uudestaan.
signin-too-many = Tämä käyttöavain ei kuulu tähän konsoliin, ja verkostasi ({ $client }) on tullut { $count } väärää avainta viimeisen minuutin aikana, joten vääriä avaimia torjutaan { $seconds ->
    [one] sekunnin ajan
   *[other] { $seconds } sekunnin ajan
}. Oma avaimesi kirjaa sinut silti sisään: tarkista, että liitit sen kokonaan.

## Tilaussivu

order-title = Tilaus { $order }
order-heading = Tilaus
order-payment-type = Maksun tyyppi
order-looked-up = Haettu
order-searched = Hait ”{ $searched }”; haettiin muodossa { $order }.
order-as-json = Tämä tilaus JSON-muodossa
not-held-title = Ei näy tässä
not-held-text = Sitä, onko maksu varattu, veloitettu, hyvitetty vai peruttu, Order Management API ei tiedä. Katso se yritysportaalista (portal.vipps.no) tai kaupan omasta järjestelmästä.
receipt-title = Kuitti
receipt-final = Lähetettyä kuittia ei voi muuttaa: myöhempi palautus tai korjaus ei näy tässä. Kauppa hoitaa ne omassa järjestelmässään.
receipt-none = Kauppa ei ole lähettänyt kuittia tälle tilaukselle.
receipt-lines = Kuitin rivit
receipt-sum = Yhteensä
col-item = Tuote
col-quantity = Määrä
col-unit-price = Yksikköhinta
col-discount = Alennus
col-vat-rate = ALV-kanta
col-excluding-vat = Ilman ALV:ta
col-vat = ALV
col-including-vat = Sis. ALV
col-amount = Summa
col-lines = Rivit
badge-shipping = Toimitus
badge-returned = Palautettu
badge-check = Tarkista
product-id = Tuotenumero
product-link = Tuotesivu
old-field = (vanhempi kenttä)
sum-too-large = Summa on liian suuri näytettäväksi; kaupan luvut ovat väärin.
vat-title = ALV verokannoittain
vat-no-rate = Ei verokantaa
vat-lines = { $count ->
    [one] { $count } rivi
   *[other] { $count } riviä
}
facts-title = Lisää kuitista
fact-currency = Valuutta
fact-receipt-number = Kuittinumero
fact-barcode = Viivakoodi
fact-pos-id = Kassan tunnus
fact-tip = Juomaraha
fact-paid-card = Maksettu kortilla
fact-paid-gift-card = Maksettu lahjakortilla
fact-paid-voucher = Maksettu hyvityssetelillä
fact-paid-cash = Maksettu käteisellä
fact-gift-card = Lahjakortti
fact-total = Yhteensä
fact-total-vat = ALV yhteensä
fact-total-discount = Alennus yhteensä
fact-shipping = Toimitus
fact-shipping-info = Toimituksen tiedot
fact-terminal-id = Päätteen tunnus
warning-summary = { $count ->
    [one] Yhden rivin luvut eivät täsmää. Rivi on merkitty alla; asiakas näkee luvut sellaisina kuin kauppa ne lähetti.
   *[other] { $count } rivin luvut eivät täsmää. Rivit on merkitty alla; asiakas näkee luvut sellaisina kuin kauppa ne lähetti.
}
warning-line = Tarkista ”{ $line }”:
warning-sums = summa ei ole veroton summa plus ALV.
warning-vat = ALV on { $stated }, mutta ALV-kanta antaa { $expected }.
warning-total = summa on { $stated }, mutta yksikköhinta × määrä − alennus antaa { $expected }.
link-title = Maksun yhteydessä näkyvä linkki
link-none = Kauppa ei ole asettanut linkkiä tälle tilaukselle.
link-kind = Laji
link-address = Osoite
link-image = Kuva
link-id = Linkin tunnus
links-v3-title = Muut maksun yhteydessä näkyvät linkit
links-v3-hint = Uudemman rajapinnan kautta lisätyt linkit; maksulla voi olla useita.
links-v3-none = Ei yhtään.

## Ongelmat

trouble-instead = Näissä on tietoja:
trouble-error-id = Viite Vipps MobilePayn asiakaspalvelulle:
trouble-details = Tekniset tiedot
trouble-misdirected-title = Väärä osoite
trouble-misdirected-explanation = Tämä konsoli vastaa vain tälle koneelle osoitettuihin pyyntöihin (localhost tai 127.0.0.1).
trouble-misdirected-todo = Avaa se osoitteella http://localhost:PORTTI/ tai http://127.0.0.1:PORTTI/. Jos sitä käytetään muilta koneilta, käynnistä se kirjautumisen kanssa (--staff tai --identity-proxy) TLS-välityspalvelimen takana.
trouble-not-signed-on-title = Kirjaudu yrityksesi kertakirjautumisen kautta
trouble-not-signed-on-explanation = Tämä konsoli saa tietää, kuka olet, yrityksesi kertakirjautumisesta, eikä tämä pyyntö tullut sen kautta.
trouble-not-signed-on-todo = Avaa konsoli yrityksesi antamasta osoitteesta, joka kirjaa sinut ensin sisään.
trouble-other-site-title = Lähetetty toiselta sivustolta
trouble-other-site-explanation = Sisään- ja uloskirjautuminen toimii vain konsolin omilta sivuilta; tämä pyyntö tuli toiselta sivustolta.
trouble-other-site-todo = Avaa konsolin oma osoite ja käytä sen painikkeita.
trouble-audit-title = Hakua ei voitu kirjata
trouble-audit-explanation = Jokainen haku kirjataan tarkastuslokiin ennen kuin se näytetään, eikä konsolin tietokanta ota sitä nyt vastaan. Mitään ei näytetty.
trouble-audit-todo = Kerro konsolin ylläpitäjälle: sen tietokantaan ei voi kirjoittaa (levy täynnä, oikeudet tai tietokantapalvelin).
trouble-no-page-title = Sivua ei ole
trouble-no-page-explanation = Asiakaspalvelukonsolissa ei ole tällaista sivua.
trouble-no-page-todo = Aloita uudelleen hakulomakkeesta.
trouble-invalid-id-title = Tämä ei ole tilausnumero
trouble-invalid-id-explanation = Hait ”{ $searched }”, joka ei voi olla tilausnumero: { $reason }
id-problem-empty = siitä ei jää mitään, kun välilyönnit ja näkymättömät merkit poistetaan.
id-problem-dots = ”.” ja ”..” eivät ole tilausnumeroita.
id-problem-long = se on pidempi kuin { $max } merkkiä.
id-problem-chars = siinä on { $chars }, joita tilausnumerossa ei voi olla.
trouble-invalid-id-todo = Tilausnumerossa on vain kirjaimia A–Z ja a–z, numeroita sekä ”-”, ”_” ja ”.”; kopioi se uudelleen kaupan sähköpostista tai hallintasivulta.
trouble-form-title = Hakulomaketta ei ole täytetty
trouble-form-explanation = Siihen tarvitaan yksi maksun tyyppi ja yksi tilausnumero.
trouble-form-todo = Täytä alla oleva lomake ja hae uudelleen.
trouble-payment-type-title = Tuntematon maksun tyyppi
trouble-payment-type-explanation = ”{ $given }” ei ole maksun tyyppi, jonka tämä konsoli tuntee.
trouble-payment-type-todo = Valitse maksun tyyppi lomakkeesta: verkko- tai myymälämaksu, tai toistuva veloitus.
trouble-nothing-title = Tälle tilaukselle ei ole tallennettu mitään
trouble-nothing-explanation = Vipps MobilePaylla ei ole kuittia eikä linkkiä tilaukselle { $order } ({ $kind }).
trouble-nothing-todo = Tarkista tilausnumero (isot ja pienet kirjaimet eroavat) ja maksun tyyppi. Jos ne ovat oikein, kauppa ei ole lähettänyt tälle tilaukselle mitään: kysy kaupan tekniseltä yhteyshenkilöltä. Vipps MobilePayn asiakaspalvelu ei voi lisätä sitä.
trouble-keys-title = Kaupan avaimilla ei ole käyttöoikeutta
trouble-keys-explanation = Vipps MobilePay hylkäsi kaupan API-avaimet, tai niillä ei ole oikeutta tämän myyntipisteen tilaustietoihin. Tilauksessa ei ole vikaa.
trouble-keys-todo = Pyydä kaupan Vipps MobilePay -asetuksista vastaavaa tarkistamaan API-avaimet ja kauppiastunnus yritysportaalista (portal.vipps.no).
trouble-unreachable-title = Vipps MobilePayhin ei saada yhteyttä täältä
trouble-unreachable-explanation = Konsoli ei saanut lainkaan yhteyttä Order Management API:in: mikään ei vastannut. Kyse on konsolin verkko- tai asetusongelmasta, ei Vipps MobilePayn ruuhkasta.
trouble-unreachable-todo = Kerro konsolin ylläpitäjälle: tarkista verkko, välityspalvelin ja API-osoite.
trouble-slow-title = Vipps MobilePay ei vastannut ajoissa
trouble-slow-explanation = Tilaustietoja pyydettiin, mutta vastausta ei tullut ajoissa.
trouble-slow-todo = Yritä uudelleen minuutin päästä. Jos näin käy taas, tarkista status.vipps.no.
trouble-unavailable-title = Vipps MobilePay on ruuhkautunut tai vikatilassa
trouble-unavailable-explanation = Order Management API vastasi, ettei se voi palvella pyyntöä juuri nyt.
trouble-unavailable-todo = Yritä uudelleen muutaman minuutin päästä ja tarkista status.vipps.no. Jos tilanne jatkuu, ota yhteyttä Vipps MobilePayn asiakaspalveluun ja kerro viite, jos sellainen näkyy alla.
trouble-rejected-title = Vipps MobilePay hylkäsi haun
trouble-rejected-explanation = Tilausnumero tai maksun tyyppi ei ole sellainen, jonka API hyväksyy.
trouble-rejected-todo = Tarkista tilausnumero ja maksun tyyppi.
trouble-unexpected-title = Vipps MobilePay vastasi odottamattomasti
trouble-unexpected-explanation = Tilaustietoja ei voitu lukea.
trouble-unexpected-todo = Yritä myöhemmin uudelleen; jos tilanne jatkuu, ota yhteyttä Vipps MobilePayn asiakaspalveluun ja kerro alla olevat tekniset tiedot (ja viite, jos sellainen näkyy).
warning-out-of-range = yksikköhinta × määrä − alennus on suurempi kuin mikään summa voi olla, joten se ei voi olla tämä summa.
warning-quantity = määrä ei ole luku siinä muodossa kuin kuitit ne kirjoittavat, joten summaa ei voi tarkistaa sitä vasten.
warning-rate = ALV-kanta on välin 0–100 % ulkopuolella.
id-problem-not-text = osoitteessa on tavuja, jotka eivät ole tekstiä.
trouble-too-large-title = Lähetettiin liikaa
trouble-too-large-explanation = Konsoli ottaa pyynnössä vastaan enintään 16 KiB; tämä oli suurempi.
trouble-too-large-todo = Palaa takaisin ja lähetä lomake uudelleen sellaisenaan.
trouble-too-slow-title = Pyyntö ei saapunut ajoissa
trouble-too-slow-explanation = Konsoli odottaa 10 sekuntia, että pyyntö saapuu kokonaan; tämä ei saapunut.
trouble-too-slow-todo = Tarkista verkkoyhteys ja yritä uudelleen.
trouble-wrong-method-title = Tämä osoite ei tee sitä
trouble-wrong-method-explanation = Tätä sivua ei voi avata näin (uloskirjautuminen tehdään esimerkiksi jokaisen sivun painikkeella).
trouble-wrong-method-todo = Aloita uudelleen hakulomakkeesta.

## The payment, the slow notice, sign-on, the audit trail

unit-kg = kg
unit-km = km
unit-minute = min
unit-litre = l
unit-kwh = kWh
unit-price-per = { $price }/{ $unit }
paid-title = Maksu
paid-lines = Kuittirivit
paid-total = Maksettu yhteensä
paid-sources-match = Maksutavat ovat yhteensä maksettu summa.
paid-sources-differ = Maksutavat ovat yhteensä { $sources }, mutta kuittirivit ja juomaraha ovat { $total }. Asiakas näkee kuitin sellaisena kuin kauppa sen lähetti; kysy kaupalta, onko sillä merkitystä.
paid-no-sources = Kauppa ei kertonut, miten maksettiin.
order-waiting = Vipps MobilePay vastaa hitaasti. Tilaus näkyy tässä heti, kun vastaus tulee; sivua ei tarvitse ladata uudelleen.
order-who-looked = Ketkä ovat katsoneet tätä tilausta
signed-on-title = Kirjautunut yrityksen kertakirjautumisella
signed-on-text = Olet kirjautunut konsoliin yrityksesi kertakirjautumisella (single sign-on). Kirjaudu ulos yrityksen kirjautumisesta (tai sulje selain); konsolilla ei ole sinulle omaa kirjautumista.
audit-link = Tarkastusloki
trouble-identity-title = Kirjautumista ei voitu lukea
trouble-identity-explanation = Yrityksesi kirjautumispalvelu lähetti tämän pyynnön tiedon siitä, kuka olet, muodossa, jota konsoli ei hyväksy (kahdesti tai ei tekstinä). Mitään ei näytetty.
trouble-identity-todo = Kerro kirjautumispalvelun ylläpitäjälle: sen on korvattava henkilön nimeävä otsake, ei koskaan lisättävä selaimen lähettämään.
trouble-store-title = Konsoli ei tavoita tietokantaansa
trouble-store-explanation = Kirjautumiset ja tarkastusloki tallennetaan konsolin tietokantaan, eikä se vastannut. Mitään ei näytetty.
trouble-store-todo = Yritä uudelleen minuutin kuluttua; jos vika jatkuu, kerro konsolin ylläpitäjälle: tietokantaa ei tavoiteta.
trouble-not-auditor-title = Tarkastusloki on tarkastajille
trouble-not-auditor-explanation = Vain tarkastajan roolin saaneet (henkilöstötiedostossa tai yrityksen kirjautumisen tarkastajaryhmässä) saavat lukea, kuka katsoi mitä.
trouble-not-auditor-todo = Kysy konsolin ylläpitäjältä, jos työsi sitä vaatii.
trouble-audit-form-title = Tarkastuslokin lomaketta ei voitu lukea
trouble-audit-form-explanation = Kentässä ”{ $field }” on jotain, mitä lomake ei hyväksy.
trouble-audit-form-todo = Anna päivät muodossa 2026-12-07 (tai hetki muodossa 2026-12-07T13:45) ja valitse luetteloista.
audit-title = Tarkastusloki
audit-hint = Jokainen kirjautuminen, torjunta, haku ja uloskirjautuminen tämän konsolin kaikissa instansseissa, uusin ensin. Ajat ovat aikavyöhykkeellä { $zone }.
audit-any = Kaikki
audit-who = Kuka
audit-event = Tapahtuma
audit-from = Alkaen (päivä)
audit-until = Asti (päivä mukaan lukien)
audit-show = Näytä
audit-export = Lataa nämä merkinnät (JSON lines)
audit-none = Ei vastaavia merkintöjä.
audit-older = Vanhemmat merkinnät
audit-time = Aika
audit-client = Asiakkaan osoite
audit-order = Tilaus
audit-typed = Kirjoitettu
audit-outcome = Tulos
audit-nobody = Ei tunnistettu
audit-also-checked = Tarkistettu myös:
audit-attempts = { $count ->
    [one] yksi yritys
   *[other] { $count } yritystä
}, viimeinen { $last }
audit-event-sign-in = Kirjautuminen
audit-event-sign-out = Uloskirjautuminen
audit-event-lookup = Haku
audit-event-audit-view = Tarkastuslokia luettu
audit-via-loopback = tällä koneella
audit-via-proxy = yrityksen kirjautumisella
audit-via-token = henkilökohtaisella avaimella
audit-via-bearer = henkilökohtaisella avaimella (työkalu)
audit-via-console = konsolin toimesta
audit-what-page = tilauksen sivu
audit-what-json = JSON-muodossa
audit-what-form = hakulomake
audit-what-jsonl = viety
audit-outcome-shown = Näytetty
audit-outcome-signed-in = Kirjautui sisään
audit-outcome-wrong-token = Väärä avain
audit-outcome-throttled = Torjuttu: liian monta väärää avainta
audit-outcome-identity-refused = Torjuttu: kirjautumisen otsaketta ei voitu lukea
audit-outcome-signed-out = Kirjautui ulos
audit-outcome-left-staff = Päättyi: ei enää henkilöstössä
audit-outcome-new-token = Päättyi: sai uuden avaimen
audit-outcome-nothing-stored = Mitään ei tallennettu
audit-outcome-invalid = Ei tilausnumero
audit-outcome-refused = Vipps MobilePay torjui
audit-outcome-unreachable = Vipps MobilePayta ei tavoitettu
audit-outcome-timed-out = Ei vastausta ajoissa
audit-outcome-unavailable = Vipps MobilePay vikatilassa
audit-outcome-failed = Epäonnistui
signin-too-many-all = Tämä käyttöavain ei kuulu tähän konsoliin, ja konsoli on saanut liian monta väärää avainta viimeisen minuutin aikana, joten vääriä avaimia torjutaan { $seconds ->
    [one] sekunnin ajan
   *[other] { $seconds } sekunnin ajan
}. Oma avaimesi kirjaa sinut silti sisään: tarkista, että liitit sen kokonaan.
audit-outcome-not-auditor = Torjuttu: ei tarkastaja
trouble-stopping-title = Konsoli käynnistyy uudelleen
trouble-stopping-explanation = Se pysäytettiin ennen kuin Vipps MobilePay vastasi. Mitään ei näytetty.
trouble-stopping-todo = Hae tilaus uudelleen hetken kuluttua.
trouble-audit-address-explanation = Osoitteessa on kenttä kahdesti tai kenttä, jota lomake ei voi lukea (kuten sivu, joka ei ole luku), joten mitään ei valittu.
# Kaupan lähtevät: mitä kauppa lähettää Vipps MobilePaylle ja kuinka pitkälle se on edennyt.
undelivered-link = Toimittamatta
deliveries-title = Kaupasta lähetetty
deliveries-hint = Mitä kaupan lähtevät-jono sisältää tälle tilaukselle: jokainen kuitti, linkki ja kuva, jonka kauppa lähettää Vipps MobilePaylle, ja kuinka pitkälle se on edennyt. Epäonnistunutta toimitusta yritetään itsestään uudelleen päivien ajan, kunnes se on toimitettu tai epäonnistuu lopullisesti.
deliveries-none = Kaupan lähtevät-jonossa ei ole mitään tälle tilaukselle.
delivery-enqueued = Jonossa alkaen
delivery-kind = Mitä
delivery-state = Tila
delivery-last-error = Viimeisin ongelma
delivery-act = Toiminto
delivery-kind-receipt = Kuitti
delivery-kind-category = Linkki
delivery-kind-category-v3 = Lisälinkki
delivery-kind-image = Kuva
delivery-state-pending = Odottaa lähetystä
delivery-state-retrying = Epäonnistui, yritetään uudelleen
delivery-state-delivered = Toimitettu
delivery-state-dead = Epäonnistui: vaatii toimia
delivery-state-discarded = Siirretty sivuun
delivery-tries = { $count ->
    [0] ei vielä yritetty
    [one] yritetty kerran
   *[other] yritetty { $count } kertaa
}
delivery-next-try = seuraava yritys { $at }
delivery-ended = päättyi { $at }
delivery-discarded-because = Siirretty sivuun, koska:
delivery-was-stored = Se oli jo tallessa, kun kauppa lähetti sen.
delivery-stored = Tallennettu Vipps MobilePayhin.
delivery-retry = Yritä uudelleen nyt
delivery-retry-which = (toimitus { $id })
undelivered-title = Toimittamatta
undelivered-intro = Mitä kauppa ei ole vielä toimittanut Vipps MobilePaylle, vanhimmat ensin. Odottavia yritetään itsestään uudelleen; epäonnistuneet vaativat toimia: lue ongelma, korjaa sen syy kaupan kanssa ja yritä sitten uudelleen nyt.
undelivered-none = Kaikki kaupan lähettämä on toimitettu.
undelivered-counts = { $count ->
    [one] Yksi toimitus
   *[other] { $count } toimitusta
} toimittamatta, { $dead ->
    [0] yksikään ei ole epäonnistunut lopullisesti
    [one] yksi niistä on epäonnistunut lopullisesti
   *[other] { $dead } niistä on epäonnistunut lopullisesti
}.
undelivered-more = Vain { $count } vanhinta { $total }:stä näytetään.
trouble-outbox-title = Kaupan lähtevät-jonoa ei voi lukea
trouble-outbox-explanation = Konsoli ei tavoittanut tietokantaa, jossa on se, mitä kauppa lähettää Vipps MobilePaylle.
trouble-outbox-todo = Yritä hetken päästä uudelleen. Jos ongelma jatkuu, kerro kaupan järjestelmiä ylläpitäville.
audit-event-delivery-retry = Toimitusta yritetty uudelleen
audit-what-undelivered = toimittamattomat
audit-outcome-retried = Yritetty uudelleen nyt
audit-outcome-already-delivered = Jo toimitettu
audit-outcome-outbox-failed = Kaupan lähtevät-jonoa ei voitu lukea
undelivered-dead = Epäonnistunut lopullisesti: vaatii toimia
undelivered-pending = Odottaa, yritetään itsestään uudelleen
