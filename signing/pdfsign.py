"""PAdES signing of one PDF revision with pyHanko (no database: the services pass everything in).

Locking, so that every seal of a joint issuance stays valid and nothing can be added after the last:

- seals are approval signatures. Not a certification on the first: after a certification signature
  pyHanko's difference analysis refuses new *visible* signature fields (``valid_when_certifying``), so
  every later seal of a joint issuance would invalidate the first. ``certify`` stays available for
  callers with pre-created fields. The verifier itself allows nothing after a seal but later signatures;
- the last seal (``lock=True``) carries a field ``/Lock`` dictionary with ``/P 1`` (PDF 2.0 "lock document"):
  from then on no change at all is permitted;
- validation data (certificates + CRLs, PAdES-B-LT) goes into the DSS *of the same revision* as the
  signature, so the last seal still covers the entire file.
"""

import io
from dataclasses import dataclass

from pyhanko.pdf_utils import content as pdf_content
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.stamp import StaticStampStyle

MM = 72 / 25.4


@dataclass(frozen=True)
class Appearance:
    """What the stamp looks like: vector operators in a ``width``×``height`` box, or a PNG."""

    vector_ops: str = ""
    width: float = 1000.0
    height: float = 1000.0
    png: bytes = b""


@dataclass(frozen=True)
class Box:
    """Rectangle in mm from the page's top-left corner; ``page`` counts from 1."""

    page: int
    x_mm: float  # centre
    y_mm: float  # centre
    width_mm: float
    height_mm: float


class PlacementError(ValueError):
    pass


def open_for_update(pdf: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.prev.root["/Pages"]["/Count"])


def _page_box(writer: IncrementalPdfFileWriter, page_ix: int) -> tuple[float, float, float, float]:
    page_ref, _ = writer.prev.find_page_for_modification(page_ix)
    node = page_ref.get_object()
    while node is not None:
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0.0, 0.0, 595.28, 841.89


def field_box(writer: IncrementalPdfFileWriter, box: Box) -> tuple[int, int, int, int]:
    count = page_count(writer)
    if not 1 <= box.page <= count:
        raise PlacementError(f"页码 {box.page} 超出范围（文件共 {count} 页）。")
    left, bottom, right, top = _page_box(writer, box.page - 1)
    cx, cy = left + box.x_mm * MM, top - box.y_mm * MM
    half_w, half_h = box.width_mm * MM / 2, box.height_mm * MM / 2
    if not (left <= cx <= right and bottom <= cy <= top):
        raise PlacementError("印章位置超出页面。")
    return round(cx - half_w), round(cy - half_h), round(cx + half_w), round(cy + half_h)


def stamp_style(appearance: Appearance) -> StaticStampStyle:
    """A fresh style for each signing: a reused image style has been seen to write a dangling reference."""
    if appearance.vector_ops:
        resources = pdf_content.PdfResources()
        drawing = pdf_content.RawContent(
            b"q /SealInk gs " + appearance.vector_ops.encode("ascii") + b" Q",
            resources=resources,
            box=layout.BoxConstraints(width=appearance.width, height=appearance.height),
        )
        # Multiply: the red ink lets the 署名 and 成文日期 underneath show through, as on paper.
        drawing.set_resource(
            pdf_content.ResourceType.EXT_G_STATE,
            pdf_name("/SealInk"),
            generic.DictionaryObject({pdf_name("/BM"): pdf_name("/Multiply")}),
        )
        background = drawing
        scaling = layout.InnerScaling.STRETCH_TO_FIT
    else:
        from PIL import Image

        background = PdfImage(Image.open(io.BytesIO(appearance.png)))
        scaling = layout.InnerScaling.STRETCH_TO_FIT
    return StaticStampStyle(
        background=background,
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=scaling,
        ),
    )


def existing_signatures(writer: IncrementalPdfFileWriter) -> list:
    return list(writer.prev.embedded_signatures)


def is_locked(writer: IncrementalPdfFileWriter) -> bool:
    """True when an existing signature forbids any further change (DocMDP or /Lock P=1)."""
    return any(sig.docmdp_level == MDPPerm.NO_CHANGES for sig in existing_signatures(writer))


def sign(
    pdf: bytes,
    *,
    signer,
    field_name: str,
    box: Box,
    appearance: Appearance,
    reason: str = "",
    name: str = "",
    certify: bool = False,
    lock: bool = False,
    timestamper=None,
    validation_context=None,
) -> bytes:
    """Append one signature revision to ``pdf`` and return the new file."""
    writer = open_for_update(pdf)
    rect = field_box(writer, box)
    spec_kwargs = {}
    if lock and not certify:
        spec_kwargs = {"field_mdp_spec": FieldMDPSpec(FieldMDPAction.ALL), "doc_mdp_update_value": MDPPerm.NO_CHANGES}
    field_spec = SigFieldSpec(sig_field_name=field_name, on_page=box.page - 1, box=rect, **spec_kwargs)
    meta_kwargs = {}
    if certify:
        meta_kwargs = {"certify": True, "docmdp_permissions": MDPPerm.NO_CHANGES if lock else MDPPerm.FILL_FORMS}
    elif lock:
        meta_kwargs = {"docmdp_permissions": MDPPerm.NO_CHANGES}
    if validation_context is not None:
        meta_kwargs.update(
            embed_validation_info=True,
            validation_context=validation_context,
            dss_settings=DSSContentSettings(
                placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
            ),
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        name=name or None,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        **meta_kwargs,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=timestamper, stamp_style=stamp_style(appearance), new_field_spec=field_spec
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


__all__ = ["Appearance", "Box", "PlacementError", "fields", "sign", "stamp_style", "open_for_update", "is_locked"]
