"""Every word certdoctor says around the knowledge base's own texts, in English and Dutch: one catalogue.

The answer's text and Markdown (answer.py), plan.md (fix/render.py), the shell's lines and notes take their
labels from here, so a Dutch answer carries no English label and a new word is added once, in both languages.
"""

from __future__ import annotations

from certdoctor.kb import Lang

WORDS: dict[str, dict[Lang, str]] = {
    # -- the answer (answer.py) ------------------------------------------------------------------------------
    "none": {
        "en": "No documented cause matches what is known.",
        "nl": "Geen gedocumenteerde oorzaak past bij wat bekend is.",
    },
    "warning": {"en": "warning", "nl": "waarschuwing"},
    "confidence": {"en": "confidence", "nl": "zekerheid"},
    "why": {"en": "why", "nl": "waarom"},
    "against": {"en": "against", "nl": "tegen"},
    "also": {"en": "also", "nl": "ook"},
    "folded": {"en": "also explains", "nl": "verklaart ook"},
    "step": {"en": "step", "nl": "stap"},
    "then": {"en": "then check", "nl": "controleer daarna"},
    "more": {"en": "and {n} more (--verbose shows them)", "nl": "en nog {n} (--verbose toont ze)"},
    "ruled_out": {"en": "Ruled out by the files:", "nl": "Uitgesloten door de bestanden:"},
    "hypotheses": {"en": "Hypotheses from symptoms only:", "nl": "Hypothesen, alleen uit symptomen:"},
    "decide": {"en": "would be decided by", "nl": "zou worden beslist door"},
    "plan": {
        "en": "Plan (likely and cheap first; [n] = the causes it addresses):",
        "nl": "Plan (waarschijnlijk en goedkoop eerst; [n] = de oorzaken die het aanpakt):",
    },
    "questions": {"en": "Questions that would sharpen this:", "nl": "Vragen die dit scherper maken:"},
    "unrecognised": {"en": "Text not recognised (kept for the record):", "nl": "Niet herkende tekst (bewaard):"},
    "title": {"en": "certdoctor diagnosis", "nl": "certdoctor-diagnose"},
    "evidence": {"en": "Evidence", "nl": "Bewijs"},
    "steps": {"en": "Steps", "nl": "Stappen"},
    "findings": {"en": "Certificate findings", "nl": "Certificaatbevindingen"},
    "references": {"en": "References", "nl": "Bronnen"},
    "open": {"en": "Open questions", "nl": "Open vragen"},
    "symptoms": {"en": "Symptoms", "nl": "Symptomen"},
    # -- plan.md (fix/render.py) -----------------------------------------------------------------------------
    "fix.title": {"en": "# certdoctor fix: {title}", "nl": "# certdoctor fix: {title}"},
    "fix.intro": {
        "en": "Case `{case}`. The files named below are in this folder, next to this plan; none holds a private key.",
        "nl": "Casus `{case}`. De bestanden hieronder staan in deze map, naast dit plan; geen ervan bevat een "
        "privésleutel.",
    },
    "fix.healthy": {
        "en": "Nothing needs changing: no documented cause matches this case, and no certificate is missing.",
        "nl": "Er hoeft niets te veranderen: geen gedocumenteerde oorzaak past bij deze casus en er ontbreekt geen "
        "certificaat.",
    },
    "fix.no_files": {
        "en": "No certificate file is needed for this plan: its steps change settings, not certificates.",
        "nl": "Voor dit plan is geen certificaatbestand nodig: de stappen wijzigen instellingen, geen certificaten.",
    },
    "fix.files": {"en": "## Files to upload", "nl": "## Te uploaden bestanden"},
    "fix.head": {"en": "| File | Target | Where | Certificates |", "nl": "| Bestand | Doel | Waar | Certificaten |"},
    "fix.plan": {"en": "## Plan", "nl": "## Plan"},
    "fix.causes": {"en": "causes", "nl": "oorzaken"},
    "fix.targets": {"en": "targets", "nl": "doelen"},
    "fix.upload": {"en": "upload from this folder", "nl": "uploaden uit deze map"},
    "fix.obtain": {
        "en": "## Certificates to obtain (in none of the case's files)",
        "nl": "## Te verkrijgen certificaten (in geen van de bestanden van de casus)",
    },
    "fix.ruled_out": {"en": "## Ruled out", "nl": "## Uitgesloten"},
    "fix.diagnosis": {"en": "## Diagnosis", "nl": "## Diagnose"},
    "fix.why_not": {"en": "Ruled out because", "nl": "Uitgesloten omdat"},
    "fix.key_id": {"en": "key id", "nl": "sleutel-id"},
    "fix.unknown": {"en": "unknown", "nl": "onbekend"},
    "fix.path": {"en": "completes the path of {about}", "nl": "maakt het pad van {about} compleet"},
    "fix.issuer": {"en": "the CA that issued {about}", "nl": "de CA die {about} uitgaf"},
    "fix.upload_why": {
        "en": "{about} as the single PEM the upload page takes",
        "nl": "{about} als de ene PEM die de uploadpagina accepteert",
    },
    "fix.csr": {
        "en": "the certificate the CA signs for the CSR {about}",
        "nl": "het certificaat dat de CA ondertekent voor de CSR {about}",
    },
    "fix.step": {"en": "named by the plan ({about})", "nl": "genoemd door het plan ({about})"},
    "fix.obtain_line": {
        "en": "For the {target}: obtain `{subject}` ({key_id} `{kid}`), {why}.",
        "nl": "Voor de {target}: verkrijg `{subject}` ({key_id} `{kid}`), {why}.",
    },
    "fix.notes": {"en": "## Notes", "nl": "## Opmerkingen"},
    "fix.locked": {
        "en": "The upload file `{file}` is a password-protected PKCS#12 (.pfx/.p12): the diagnosis needs no password, "
        "but its server certificate is written here only when the file is opened. Run `certdoctor fix {case} --out "
        "DIR --password-env VAR` (the password in environment variable VAR, used for that run only; the private key "
        "stays in the .pfx), or extract it yourself: `openssl pkcs12 -in {file} -clcerts -nokeys -out server.pem`.",
        "nl": "Het uploadbestand `{file}` is een PKCS#12 (.pfx/.p12) met wachtwoord: de diagnose heeft geen "
        "wachtwoord nodig, maar het servercertificaat wordt hier alleen geschreven als het bestand geopend wordt. "
        "Voer `certdoctor fix {case} --out MAP --password-env VAR` uit (het wachtwoord in omgevingsvariabele VAR, "
        "alleen voor die run gebruikt; de privésleutel blijft in de .pfx), of haal het er zelf uit: `openssl pkcs12 "
        "-in {file} -clcerts -nokeys -out server.pem`.",
    },
    "fix.issued_by": {"en": "Issued by `{issuer}`.", "nl": "Uitgegeven door `{issuer}`."},
    "fix.download": {
        "en": "The certificate it issued says where to download it: {hint}.",
        "nl": "Het certificaat dat het uitgaf zegt waar het te downloaden is: {hint}.",
    },
    "fix.ask_ca": {
        "en": "Otherwise ask the certificate authority for it (Base-64), and append it, with every CA above it "
        "up to the root, to the same target.",
        "nl": "Vraag het anders op bij de certificeringsinstantie (Base-64) en voeg het, met elke CA erboven "
        "tot en met de root, toe aan hetzelfde doel.",
    },
    # -- the shell (shell/session.py, shell/app.py) -----------------------------------------------------------
    "shell.title": {
        "en": "certdoctor shell: certificate troubleshooting for Expressway, Unified CM and Jabber MRA.",
        "nl": "certdoctor shell: certificaatproblemen oplossen voor Expressway, Unified CM en Jabber MRA.",
    },
    "shell.intro": {
        "en": "Say what the customer sees in their own words, answer the questions (a number, a value, yes/no, "
        "or Tab for the choices), paste error text or log lines as they are, load certificate files with "
        "`load ROLE PATH`. `help` lists every command; "
        "`undo` takes back the last change; Ctrl-D leaves.",
        "nl": "Zeg in de woorden van de klant wat die ziet, beantwoord de vragen (een nummer, een waarde, ja/nee, "
        "of Tab voor de keuzes), plak foutteksten of logregels zoals ze zijn, laad certificaatbestanden met "
        "`load ROL PAD`. "
        "`help` toont alle opdrachten; `undo` neemt de laatste wijziging terug; Ctrl-D stopt.",
    },
    "shell.unrecognised": {
        "en": "not recognised as a known symptom; kept for the record",
        "nl": "niet herkend als bekend symptoom; bewaard",
    },
    "shell.done": {
        "en": "Nothing left to ask that would change the ranking. `steps 1` shows the fix.",
        "nl": "Geen vraag meer die de rangorde zou veranderen. `steps 1` toont de oplossing.",
    },
    "shell.nothing_left": {
        "en": "Nothing left to ask that would change the ranking.",
        "nl": "Geen vraag meer die de rangorde zou veranderen.",
    },
    "shell.clear": {
        "en": "The leading cause stands clear: {title}. `steps 1` for the fix, `why 1` for the evidence, "
        "`ask` to keep going.",
        "nl": "De belangrijkste oorzaak staat duidelijk voorop: {title}. `steps 1` voor de oplossing, `why 1` voor "
        "het bewijs, `ask` om door te gaan.",
    },
    "shell.none": {
        "en": "No documented cause matches what is known yet.",
        "nl": "Nog geen gedocumenteerde oorzaak past bij wat bekend is.",
    },
    "shell.more": {"en": "... {n} more (`ranking`)", "nl": "... nog {n} (`ranking`)"},
    "shell.new": {"en": "new", "nl": "nieuw"},
    "shell.leading": {"en": "leading: {cause} {percent}", "nl": "voorop: {cause} {percent}"},
    "shell.no_cause": {"en": "no cause yet", "nl": "nog geen oorzaak"},
    "shell.useful": {"en": "{n} useful question(s) left", "nl": "nog {n} nuttige vraag/vragen"},
    "shell.unsaved": {"en": "unsaved", "nl": "niet opgeslagen"},
    "shell.rules": {"en": "rules", "nl": "regels"},
    "shell.what_if": {
        "en": "What if (nothing changed in the session):",
        "nl": "Wat als (de sessie blijft ongewijzigd):",
    },
    "shell.gone": {"en": "gone", "nl": "verdwenen"},
    "shell.no_question": {"en": "No question is being asked.", "nl": "Er staat geen vraag open."},
    "shell.saved": {
        "en": "saved {path} (`certdoctor diagnose {name}` gives this ranking)",
        "nl": "opgeslagen: {path} (`certdoctor diagnose {name}` geeft deze rangorde)",
    },
    "shell.wrote": {"en": "wrote {path}", "nl": "geschreven: {path}"},
    "shell.and": {"en": "and", "nl": "en"},
    "shell.error": {"en": "error", "nl": "fout"},
    "shell.did_you_mean": {
        "en": "'{word}' is not a command; did you mean '{command}'? (`help` lists them)",
        "nl": "'{word}' is geen opdracht; bedoelde u '{command}'? (`help` toont ze)",
    },
    "shell.leave": {
        "en": "Unsaved work (`save FILE` keeps it). Leave anyway? [y/N] ",
        "nl": "Niet-opgeslagen werk (`save BESTAND` bewaart het). Toch stoppen? [j/N] ",
    },
    "shell.session": {"en": "TAC session", "nl": "TAC-sessie"},
    "shell.certs": {"en": "{n} certificate(s)", "nl": "{n} certificaat/certificaten"},
    "shell.first": {"en": "first {label}, valid until {until}", "nl": "eerste {label}, geldig tot {until}"},
    "shell.crls": {"en": "{n} CRL(s)", "nl": "{n} CRL('s)"},
    "shell.none_given": {"en": "none given", "nl": "geen opgegeven"},
    # -- what undo names (shell/notes.py) --------------------------------------------------------------------
    "undo.undone": {"en": "Undone: {what}", "nl": "Ongedaan gemaakt: {what}"},
    "undo.nothing": {"en": "Nothing to undo.", "nl": "Niets om ongedaan te maken."},
    "undo.answer": {"en": "answer '{id} = {value}'", "nl": "antwoord '{id} = {value}'"},
    "undo.skip": {"en": "skipped question '{id}'", "nl": "overgeslagen vraag '{id}'"},
    "undo.text": {"en": "pasted text '{text}'", "nl": "geplakte tekst '{text}'"},
    "undo.said": {"en": "the customer's words '{text}'", "nl": "de woorden van de klant '{text}'"},
    "undo.set": {"en": "set {name} = {value}", "nl": "ingesteld: {name} = {value}"},
    "undo.loaded": {"en": "loaded {role} {kind} {origin}", "nl": "geladen: {role} {kind} {origin}"},
    "undo.probed": {"en": "fetched {role} {kind} from {origin}", "nl": "opgehaald: {role} {kind} van {origin}"},
    "kind.certificate": {"en": "certificate", "nl": "certificaat"},
    "kind.trusted": {"en": "trusted CA list", "nl": "vertrouwde CA-lijst"},
    "kind.crl": {"en": "CRL", "nl": "CRL"},
    "kind.file": {"en": "upload file", "nl": "uploadbestand"},
    "kind.key": {"en": "private key", "nl": "privésleutel"},
    # -- symptom fields, as the case notes name them ---------------------------------------------------------
    "field.description": {"en": "in the customer's words", "nl": "in de woorden van de klant"},
    "field.upload_error": {"en": "upload error", "nl": "uploadfout"},
    "field.upload_page": {"en": "upload page", "nl": "uploadpagina"},
    "field.zone_status": {"en": "zone status", "nl": "zonestatus"},
    "field.ssh_tunnels": {"en": "SSH tunnels", "nl": "SSH-tunnels"},
    "field.mra_login": {"en": "MRA sign-in", "nl": "aanmelden via MRA"},
    "field.jabber_warning": {"en": "Jabber warning", "nl": "Jabber-waarschuwing"},
    "field.log_lines": {"en": "log lines", "nl": "logregels"},
    "field.logs": {"en": "logs", "nl": "logboeken"},
    "field.alarms": {"en": "alarms", "nl": "alarmen"},
    "field.recent_changes": {"en": "recent changes", "nl": "recente wijzigingen"},
    "field.version": {"en": "version", "nl": "versie"},
    "field.previous_version": {"en": "previous version", "nl": "vorige versie"},
}

#: Choice values as a Dutch answer shows them (and the shell takes them); other values show their label.
DUTCH_CHOICES: dict[str, str] = {
    "yes": "ja",
    "no": "nee",
    "ok": "werkt",
    "failed": "mislukt",
    "up": "actief",
    "down": "omlaag",
    "passed": "geslaagd",
    "unknown": "onbekend",
    "none": "niets",
    "other": "anders",
    "true": "ja",
    "false": "nee",
}


def say(key: str, lang: str, **values: object) -> str:
    """The words for key in lang (English unless Dutch), with {values} filled in."""
    text = WORDS[key]["nl" if lang == "nl" else "en"]
    return text.format(**values) if values else text


def choice_word(value: str, label: str, lang: str) -> str:
    """How a choice is named in a list of choices: its value in English; in Dutch a Dutch word, else its label."""
    if lang != "nl":
        return value
    return DUTCH_CHOICES.get(value) or (value if value in ("Active", "Failed") else label)
