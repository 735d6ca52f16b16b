"""Helpers and test data of the PACT tests, written for tanzuji (not copied from the spec)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tanzuji.calculation import compile_study, evaluate_jjf
from tanzuji.factors import FactorLibrary
from tanzuji.model import Study

# A hand-checkable study: 10 kWh × 0.5 kgCO2e/kWh (manufacturing, metered, Chinese national
# factor of the same year) + 2 kg × 3.0 kgCO2e/kg (raw material from a database, global
# factor ten years older). Total 11 kgCO2e per piece.
HAND_STUDY: dict[str, Any] = {
    "id": "HAND-1",
    "product": {
        "name": "测试表",
        "model": "T1",
        "manufacturer": {"name": "Test Meter Co."},
        "product_ids": ["urn:pact:meter.test:product-id:T1"],
        "gtin": "06901234500017",
        "company_ids": ["urn:pact:meter.test:company-id:C1"],
        "cpc": "48240",
        "country": "CN",
        "mass_kg": 0.5,
        "fossil_carbon_kg": 0.2,
        "biogenic_carbon_kg": 0.03,
        "packaging_included": False,
    },
    "period": 2025,
    "boundary": ["raw_materials", "manufacturing"],
    "excluded": [{"name": "office lighting", "stage": "manufacturing", "estimate": 0.11}],
    "factors": [
        {
            "id": "grid",
            "name": "grid",
            "value": 0.5,
            "unit": "kgCO2e/kWh",
            "region": "CN",
            "year": 2025,
            "factor_type": "national_database",
            "source": "MEE",
            "gwp": "AR5",
        },
        {
            "id": "steel",
            "name": "steel",
            "value": 3.0,
            "unit": "kgCO2e/kg",
            "region": "GLO",
            "year": 2015,
            "factor_type": "international_database",
            "source": "DB",
            "gwp": "AR6",
        },
    ],
    "factor_libraries": [],
    "activities": [
        {
            "stage": "manufacturing",
            "name": "electricity",
            "quantity": 10,
            "unit": "kWh",
            "factor": "grid",
            "uncertainty": {"standard": 0.2},
        },
        {
            "stage": "raw_materials",
            "name": "steel",
            "quantity": 2,
            "unit": "kg",
            "factor": "steel",
            "data_type": "database",
            "uncertainty": {"relative": 0.01},
        },
    ],
}


def hand_study(**product: Any) -> Study:
    data = copy.deepcopy(HAND_STUDY)
    data["product"].update(product)
    for k in [k for k, v in data["product"].items() if v is None]:
        del data["product"][k]
    return Study.model_validate(data)


def evaluated(study: Study) -> tuple[Any, Any]:
    lib = FactorLibrary.from_factors(study.factors, id="study")
    model = compile_study(study, lib)
    return model, evaluate_jjf(model)


def footprint(**overrides: Any) -> dict[str, Any]:
    """A valid v3 footprint written by hand for these tests (a supplier's PCBA)."""
    pf: dict[str, Any] = {
        "id": "5b0f3a52-1c7e-4d8a-9a51-0c3e2f4b6d70",
        "specVersion": "3.0.0",
        "created": "2026-03-01T08:00:00Z",
        "status": "Active",
        "companyName": "PCBA Supplier Ltd",
        "companyIds": ["urn:pact:pcba.test:company-id:S1"],
        "productDescription": "Populated main board of a single-phase meter",
        "productIds": ["urn:pact:pcba.test:product-id:MB-01"],
        "productClassifications": ["urn:pact:productclassification:un-cpc:47160"],
        "productNameCompany": "Main board MB-01",
        "pcf": {
            "declaredUnitOfMeasurement": "piece",
            "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "0.08",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "geographyCountry": "CN",
            "pcfExcludingBiogenicUptake": "4.2",
            "pcfIncludingBiogenicUptake": "4.2",
            "fossilCarbonContent": "0.01",
            "fossilGhgEmissions": "4.2",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0.5",
            "packagingEmissionsIncluded": False,
            "primaryDataShare": "40",
            "dqi": {"technologicalDQR": "1.2", "geographicalDQR": "2.8", "temporalDQR": "2.0"},
        },
    }
    for key, value in overrides.items():
        target = pf
        parts = key.split(".")
        for part in parts[:-1]:
            target = target[part]
        if value is ...:
            del target[parts[-1]]
        else:
            target[parts[-1]] = value
    return pf


def tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tanzuji test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, cert_pem, key_pem = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_pem, cert_pem, key_pem


class TlsServer:
    """A uvicorn server over TLS on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app: Any, cert: Path, key: Path) -> None:
        import socket
        import threading

        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ssl_certfile=str(cert),
            ssl_keyfile=str(key),
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> TlsServer:
        import time

        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
