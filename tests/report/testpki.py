"""A test PKI served over real HTTP on 127.0.0.1: certomancer's Animator under werkzeug.

Root CA → intermediate CA → signer certificate; an OCSP responder for the intermediate,
CRLs for both CAs, and an RFC 3161 timestamp authority. Keys are EC P-256 (fast to
make), generated fresh for each run; certificates are valid from yesterday for a year.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARCH = "tzj-test"
KEYS = ("root", "interm", "interm-ocsp", "tsa", "signer", "revoked")


@dataclass(frozen=True)
class ServedPki:
    """Where the test PKI is served and its files."""

    url: str
    tsa_url: str
    root: Path
    """The root CA certificate (PEM): the trust anchor."""
    interm: Path
    signer_key: Path
    signer_cert: Path
    """The signer's certificate followed by the intermediate and the root (PEM)."""
    signer_leaf: Path
    """The signer's certificate alone (PEM)."""
    revoked_key: Path
    revoked_cert: Path
    """A signer certificate the intermediate CA has revoked (chain as for ``signer_cert``)."""


def _write_keys(directory: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    for label in KEYS:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (directory / f"{label}.key.pem").write_bytes(pem)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _config(prefix: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=1)
    ca_end, leaf_end = now + dt.timedelta(days=3650), now + dt.timedelta(days=365)
    validity = {"valid-from": _iso(start), "valid-to": _iso(ca_end)}
    leaf_validity = {"valid-from": _iso(start), "valid-to": _iso(leaf_end)}

    def ku(*usages: str) -> dict[str, Any]:
        return {"id": "key_usage", "critical": True,
                "smart-value": {"schema": "key-usage", "params": list(usages)}}  # fmt: skip

    def crl(issuer: str) -> dict[str, Any]:
        params = {"crl-repo-names": [issuer]}
        return {"id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": params}}  # fmt: skip

    signer = {
        "issuer": "interm",
        "validity": leaf_validity,
        "extensions": [
            ku("digital_signature", "non_repudiation"),
            crl("interm"),
            {"id": "authority_information_access",
             "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}}},
        ],
    }  # fmt: skip
    return {
        "external-url-prefix": prefix,
        "keysets": {"ks": {"keys": {k: {"path": f"{k}.key.pem"} for k in KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": "ks",
                "entity-defaults": {"country-name": "CN", "organization-name": "示例认证中心"},
                "entities": {
                    "root": {"common-name": "tanzuji Test Root CA"},
                    "interm": {"common-name": "tanzuji Test Intermediate CA"},
                    "interm-ocsp": {"common-name": "tanzuji Test OCSP Responder"},
                    "tsa": {"common-name": "tanzuji Test Timestamp Authority"},
                    "signer": {"common-name": "张三", "organization-name": "某省计量科学研究院"},
                    "revoked": {"common-name": "张三", "organization-name": "某省计量科学研究院"},
                },
                "certs": {
                    "root": {
                        "subject": "root", "subject-key": "root", "issuer": "root",
                        "authority-key": "root", "validity": validity,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            ku("digital_signature", "key_cert_sign", "crl_sign"),
                        ],
                    },
                    "interm": {
                        "issuer": "root", "validity": validity,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True,
                             "value": {"ca": True, "path-len-constraint": 0}},
                            ku("digital_signature", "key_cert_sign", "crl_sign"),
                            crl("root"),
                        ],
                    },
                    "interm-ocsp": {
                        "issuer": "interm", "validity": validity,
                        "extensions": [
                            ku("digital_signature"),
                            {"id": "extended_key_usage", "critical": True,
                             "value": ["ocsp_signing"]},
                            {"id": "ocsp_no_check"},
                        ],
                    },
                    "tsa": {
                        "issuer": "root", "validity": validity,
                        "extensions": [
                            ku("digital_signature"),
                            {"id": "extended_key_usage", "critical": True,
                             "value": ["time_stamping"]},
                            crl("root"),
                        ],
                    },
                    "signer": signer,
                    "revoked": {
                        **signer,
                        "revocation": {"revoked-since": _iso(start + dt.timedelta(hours=1)),
                                       "reason": "key_compromise"},
                    },
                },
                "services": {
                    "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "interm-ocsp",
                                        "signing-key": "interm-ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root",
                                 "simulated-update-schedule": "P90D"},
                        "interm": {"for-issuer": "interm", "signing-key": "interm",
                                   "simulated-update-schedule": "P30D"},
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }  # fmt: skip


class _App:
    """A WSGI app set after the server is bound (the config needs the port)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextmanager
def serve_test_pki(directory: Path) -> Iterator[ServedPki]:
    """Make the keys, bind a free port on 127.0.0.1, serve the PKI; stop on exit."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from werkzeug.serving import make_server

    directory.mkdir(parents=True, exist_ok=True)
    _write_keys(directory)
    holder = _App()
    server = make_server("127.0.0.1", 0, holder, threaded=True)
    prefix = f"http://127.0.0.1:{server.server_port}"
    cfg = CertomancerConfig(_config(prefix), key_search_dir=str(directory))
    arch = cfg.get_pki_arch(ARCH)
    holder.app = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)

    def pem(*labels: str) -> bytes:
        from asn1crypto import pem as asn1pem

        return b"".join(
            asn1pem.armor("CERTIFICATE", arch.get_cert(label).dump()) for label in labels
        )

    files = {
        "root": pem("root"),
        "interm": pem("interm"),
        "signer.chain": pem("signer", "interm", "root"),
        "signer": pem("signer"),
        "revoked.chain": pem("revoked", "interm", "root"),
    }
    for name, data in files.items():
        (directory / f"{name}.pem").write_bytes(data)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedPki(
            url=prefix,
            tsa_url=f"{prefix}/{ARCH}/tsa/tsa",
            root=directory / "root.pem",
            interm=directory / "interm.pem",
            signer_key=directory / "signer.key.pem",
            signer_cert=directory / "signer.chain.pem",
            signer_leaf=directory / "signer.pem",
            revoked_key=directory / "revoked.key.pem",
            revoked_cert=directory / "revoked.chain.pem",
        )
    finally:
        server.shutdown()
        thread.join(timeout=5)
