"""Event log and diagnostic log lines as customers paste them, for the symptoms of the scenarios.

The documented alarm and log texts (as the knowledge base cites them) with the timestamps, host names
and fields around them.
"""

from __future__ import annotations

from certdoctor.lab import CUCM_IP, E_IP

OUT_IDENTITY = (
    '2026-05-31T09:14:02.118+02:00 expc1 tvcs: UTCTime="2026-05-31 07:14:02,118" Module="network.tcp" '
    'Level="1" Event="Outbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="25697" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail="Peer\'s TLS certificate identity was unacceptable" '
    'Protocol="TLS" Common-name="expe.example.com"'
)
OUT_IDENTITY_IP = (
    'tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="25697" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail= "Peer\'s TLS certificate identity was unacceptable" '
    f'Protocol="TLS" Common-name="{E_IP}"'
)
IN_IDENTITY = (
    '2026-05-31T09:15:40.902+02:00 expe1 tvcs: UTCTime="2026-05-31 07:15:40,902" Module="network.tcp" '
    'Level="1" Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="25731" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail=" Peer\'s TLS certificate identity was unacceptable " Protocol="TLS"'
)
IN_SELF_SIGNED = (
    '2026-05-31T09:16:03.551+02:00 expe1 tvcs: UTCTime="2026-05-31 07:16:03,551" Module="network.tcp" '
    'Level="1" Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="25802" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail=" self signed certificate in certificate chain " Protocol="TLS" '
    'ssl_error_reason="error:14089086:SSL routines:ssl3_get_client_certificate: certificate verify failed "'
)
TTSSL = (
    '2026-05-31T09:16:03.548+02:00 expc1 tvcs: UTCTime="2026-05-31 07:16:03,548" Module="developer.ssl" '
    'Level="ERROR" CodeLocation="ppcmains/ssl/ttssl/ttssl_openssl.cpp(68)" Method="::TTSSLErrorOutput" '
    'Thread="0x7f3c2effd700": TTSSL_continueHandshake: Failed to establish SSL connection'
)
NEGOTIATION = (
    '2026-05-31T09:16:03.549+02:00 expc1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    f'Src-ip="10.48.80.161" Dst-ip="{E_IP}" Dst-port="7001" Detail="No SSL error available, probably remote '
    'disconnect" Protocol="TLS" Level="1"'
)
UNKNOWN_ISSUER = (
    '2026-05-31T09:16:03.550+02:00 expc1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail="unable to get local issuer certificate" Protocol="TLS"'
)
NO_CERT_RETURNED = (
    '2026-05-31T10:02:44.210+02:00 expe1 tvcs: UTCTime="2026-05-31 08:02:44,210" Module="network.tcp" '
    'Level="1" Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="27012" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail="TCP Connection Closed" Reason="no certificate returned" '
    'Protocol="TLS"'
)
BAD_CREDENTIALS = (
    '2026-05-31T10:11:09.017+02:00 expe1 tvcs: UTCTime="2026-05-31 08:11:09,017" Module="network.sip" '
    'Level="1" Event="Authentication Failed" Service="SIP" Src-ip="10.48.80.161" Src-port="25697" '
    'Detail=" Incorrect authentication credential for user " Protocol="TLS" Method="OPTIONS"'
)
PORTFORWARDING = (
    '2026-05-31T10:20:11.640+02:00 exp_e01 UTCTime="2026-05-31 08:20:11,640" Module="developer.sshtunnel" '
    'Level="ERROR" Detail="Application failed - An unexpected software error was detected in portforwarding.pyc"'
)
TS_SELF_SIGNED = (
    "2026-05-31T09:30:12.441+02:00 expc1 traffic_server[28812]: [ET_NET 2] WARNING: Core server certificate "
    f"verification failed for (cucm1.example.com). Action=Terminate Error=self signed certificate "
    f"server=cucm1.example.com({CUCM_IP}) depth=0"
)
TS_UNKNOWN_CA = (
    "2026-05-31T09:30:12.441+02:00 expc1 traffic_server[28812]: [ET_NET 2] WARNING: Core server certificate "
    f"verification failed for (cucm1.example.com). Action=Terminate Error=unable to get local issuer "
    f"certificate server=cucm1.example.com({CUCM_IP}) depth=1"
)
TS_SSL_FAILED = (
    "2026-05-31T09:30:12.442+02:00 expc1 traffic_server[28812]: [ET_NET 2] ERROR: SSL connection failed for "
    "'cucm1.example.com': error:1416F086: SSL routines:tls_process_server_certificate:certificate verify failed"
)
TS_SNI = (
    f"2026-05-31T09:31:55.007+02:00 expc1 traffic_server[28812]: [ET_NET 0] WARNING: SNI ( {CUCM_IP} ) not in "
    f"certificate . Action=Terminate server={CUCM_IP}({CUCM_IP})"
)
CUCM_UNKNOWN_CA = (
    "May 31 09:40:02 cucm1 traffic_server[2030]:[ET_NET 1]ERROR:SSL connection failed for "
    "'expc.example.com':error:14094418: SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca"
)
EDGE_DOMAIN = (
    "2026-05-31T11:02:17.52+02:00 Edge TLS verification failed: Edge domain 'example.net' and corresponding "
    "SRVName '_collab-edge._tls.example.net' not found in certificate SAN list"
)
PEER_NOT_AUTHENTICATED = "HttpClient: 'Peer certificate cannot be authenticated with given CA certificates'"
JABBER_CN_NO_MATCH = (
    "2026-05-31 09:41:07,334 DEBUG [0x0000000000001b2c] [src/security/CertVerifier.cpp(212)] "
    "Verification result : FAILURE reason : [CN_NO_MATCH UNKNOWN]"
)
JABBER_IDENTITY = (
    "2026-05-31 09:41:07,335 ERROR [0x0000000000001b2c] [csf.cert.][checkIdentifiers] Verification of "
    "identity: 'vcse.example.com'  failed."
)
JABBER_LERR_CUP = "2026-05-31 09:44:51,020 ERROR [0x00007f] [jabber.login] LERR_CUP_CERT <11>: Certificate Failure"
SECURE_REGISTRATION = (
    "05/31/2026 10:31:07.204 CCM|validTLSConnection:TLS InvalidX509NameInCertificate, Rcvd=expc1.example.com, "
    "Expected=SEP00506006EAFE"
)
ENDPOINT_SSL = "2026-05-31T10:31:07 SEP00506006EAFE: Failed to establish SSL connection"

SSH_ALARM = (
    "Unified Communications SSH tunnel failure: This system cannot communicate with one or more remote "
    "hosts: expe1.example.com, expe2.example.com"
)
RESTART_ALARM = (
    "Restart required: Server certificate and private key have been changed, however a restart is "
    "required for this to take effect."
)
TIME_ALARM = (
    "Time not synchronized over traversal zone: The system time of this server is different from that on a "
    "server on the other side of a SIP traversal zone"
)
CA_NOT_RECOGNIZED = "The certification authority (CA) or certificate revocation list (CRL) is not recognized."
CLIENT_AUTH_REFUSED = (
    "The certificate must include the Client Authentication extension. The system won't let you upload a "
    "certificate without this extension."
)
