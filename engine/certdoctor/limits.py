"""Every limit that keeps hostile or accidental input bounded, with its reason (docs/limits.md lists them all).

One place, so a reviewer sees the whole policy and a surface never invents a bound of its own: the CLI,
the shell and the chat layer import these names. Each value is far above what a real deployment needs
and far below what costs noticeable time or memory.
"""

from __future__ import annotations

# -- files -------------------------------------------------------------------------------------------

#: Largest certificate, trust-list, CRL, key or bundle file read; larger files are refused before parsing.
MAX_FILE_BYTES = 8 * 1024 * 1024

#: Largest case file (YAML or JSON); a case with every log line and answer is a few KiB.
MAX_CASE_BYTES = 1024 * 1024

# -- certificates and paths --------------------------------------------------------------------------

#: Most certificates taken from one file or bundle (a large CA bundle holds a few hundred).
MAX_CERTIFICATES_PER_FILE = 20_000

#: Longest path the chain builder follows (OpenSSL's default verify depth is 100).
MAX_CHAIN_DEPTH = 100

#: Most issuer candidates tried in total while building one path; bounds pathological inputs.
MAX_PATH_BUILDING_STEPS = 2_000

#: Most names x nameConstraints comparisons per CA (OpenSSL's NAME_CHECK_MAX): the x509-limbo nc-dos cases.
MAX_NAME_CHECKS = 1 << 20

#: Most certificates kept from a live server's handshake (`probe`): real servers send 2 to 4.
MAX_PROBE_CERTIFICATES = 20

# -- knowledge base ----------------------------------------------------------------------------------

#: Most rules in one durable_rules ruleset: it hangs creating more than 512 (513 never returns, 100% CPU).
MAX_RULES = 500

# -- password-based key derivation (PKCS#12, encrypted keys) -----------------------------------------

#: Highest iteration count of one key derivation (PKCS#12 MAC, PBES1/PBES2 bag, encrypted PKCS#8 key).
#: Exports use 1 to 600,000 (OpenSSL 2,048, cryptography 20,000, Java 10,000, Windows 2,000, OWASP 600,000);
#: 10^8 costs ~30 s of CPU per password tried, with the GIL held, and the count is chosen by whoever wrote the file.
MAX_KDF_ITERATIONS = 1_000_000

#: Highest sum of iteration counts over one file (MAC plus every bag and key); bounds files with many bags.
MAX_KDF_ITERATIONS_PER_FILE = 3_000_000

#: Deepest nesting of PKCS#12 structure walked while reading iteration counts (nested SafeContents bags).
MAX_PKCS12_NESTING = 16

# -- case files --------------------------------------------------------------------------------------

#: Deepest nesting of mappings and lists in a case (the format itself is 4 deep); stops recursion bombs.
MAX_CASE_DEPTH = 32

#: Most log lines in a case (symptoms.log_lines): a whole pasted log excerpt fits.
MAX_LOG_LINES = 2_000

#: Most alarms in a case (symptoms.alarms): Expressway raises a few dozen kinds.
MAX_ALARMS = 500

#: Most answers in a case (answers): the knowledge base asks fewer than a hundred questions.
MAX_ANSWERS = 500

#: Most entries in any other list of a case (nodes, trusted CA files, peer addresses, CRLs, expectations).
MAX_LIST_ENTRIES = 1_000

#: Longest text of one entry (a title, log line, alarm, answer, name); also one pasted chat text.
MAX_TEXT_CHARS = 64 * 1024

#: Longest certificate reference in a case: a path, or inline PEM / data: URI of a file up to MAX_FILE_BYTES.
MAX_REFERENCE_CHARS = 12 * 1024 * 1024

#: Longest YAML or JSON integer (digits); Python refuses 4,300, and YAML 1.1 sexagesimal ints cost O(n^2).
MAX_NUMBER_CHARS = 100

# -- YAML --------------------------------------------------------------------------------------------

#: Most aliases in one YAML document (a case needs none; the knowledge base uses none).
MAX_YAML_ALIASES = 100

#: Most nodes of one YAML document with every alias expanded: "billion laughs" stops here, before building.
MAX_YAML_NODES = 200_000

# -- chat surfaces (HTTP, MCP): enforced by certdoctor.chat ------------------------------------------

#: Largest HTTP request body (a conversation state with full trust lists fits easily).
MAX_REQUEST_BYTES = 4 * 1024 * 1024

#: Longest certificate content in one chat field (PEM text or Base-64).
MAX_CERTIFICATE_CHARS = 2 * 1024 * 1024

#: Most entries in one mapping or list of a chat turn (answers, set, certificates, skip).
MAX_CHAT_ENTRIES = 64

#: Most turns in one conversation.
MAX_TURNS = 200

#: Largest state token written or accepted (Base64url text; it must fit in a request with the next input).
MAX_STATE_TOKEN_CHARS = 3 * 1024 * 1024

#: Largest JSON a state token may inflate to (zlib bombs stop here).
MAX_STATE_JSON_BYTES = 16 * 1024 * 1024

#: Most sessions an in-process store keeps (least recently used go first).
MAX_SESSIONS = 10_000

#: Most bytes an in-process session store holds over all its sessions (least recently used go first).
MAX_SESSION_STORE_BYTES = 256 * 1024 * 1024

#: Most characters examined for private-key material (keydetect); inputs above MAX_REQUEST_BYTES never arrive.
MAX_KEYDETECT_CHARS = MAX_REQUEST_BYTES

#: Most key-shaped DER candidates examined in one text (a real text has a handful); text crafted with more
#: is treated as holding a key and refused, so the check stays bounded.
MAX_KEYDETECT_CANDIDATES = 10_000
