"""Public API of the signing app (other apps import from here)."""

from signing.services.sealing import (
    SealedResult,
    SealPlacement,
    SignaturePlacement,
    apply_seals,
    check_seal_usable,
    sign_personal,
)
from signing.services.seals import (
    create_seal,
    deactivate_seal,
    import_pkcs12,
    replace_image,
    revoke_certificate,
    set_custodians,
)
from signing.verify import VerificationInputError, VerificationReport, verify_pdf

__all__ = [
    "SealPlacement",
    "SealedResult",
    "SignaturePlacement",
    "VerificationInputError",
    "VerificationReport",
    "apply_seals",
    "check_seal_usable",
    "create_seal",
    "deactivate_seal",
    "import_pkcs12",
    "replace_image",
    "revoke_certificate",
    "set_custodians",
    "sign_personal",
    "verify_pdf",
]
