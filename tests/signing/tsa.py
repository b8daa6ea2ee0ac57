"""A small RFC 3161 time-stamping service on 127.0.0.1 for the tests (no internet here).

pyHanko's DummyTimeStamper answers the requests; its certificate is issued by
the test run's demo CA with the time-stamping extended key usage, so the
timestamp validates against the same trust root as the signatures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import tsp, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.sign.timestamps import DummyTimeStamper

from esurety.signing.demo_ca import demo_ca_materials, demo_leaf_certificate

TSA_NAME = "esurety 試験用タイムスタンプ局"


def _stamper() -> DummyTimeStamper:
    ca_key, ca_cert = demo_ca_materials()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = demo_leaf_certificate(
        ca_key=ca_key, ca_cert=ca_cert, key=key, organisation=TSA_NAME, common_name=TSA_NAME, time_stamping=True
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=load_private_key_from_pemder_data(pem, passphrase=None),
    )


@contextmanager
def local_tsa() -> Iterator[str]:
    """Run the service for the duration of the block; yields its URL."""
    stamper = _stamper()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
