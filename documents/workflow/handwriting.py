"""Handwritten sign-off: the strokes (x, y, pressure, time per point) and the PNG drawn from them, bound to
the opinion and to the SHA-256 of the exact content the signer saw. The page sends the hash it displayed;
if the text changed since, the signature is refused, so it can never land on another text."""

from oa.core.errors import ServiceError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 600_000
MAX_STROKES = 400
MAX_POINTS = 20_000


def clean(strokes, png: bytes | None) -> dict:
    if not isinstance(strokes, list) or not strokes:
        raise ServiceError("手写签批为空，请先书写。", field="strokes")
    if len(strokes) > MAX_STROKES:
        raise ServiceError("笔画过多。", field="strokes")
    cleaned, total = [], 0
    for stroke in strokes:
        if not isinstance(stroke, list):
            raise ServiceError("笔迹数据格式不正确。", field="strokes")
        points = []
        for point in stroke:
            if not isinstance(point, (list, tuple)) or len(point) < 3:
                raise ServiceError("笔迹数据格式不正确。", field="strokes")
            try:
                x, y, p = (round(float(v), 2) for v in point[:3])
                t = int(point[3]) if len(point) > 3 else 0
            except (TypeError, ValueError):
                raise ServiceError("笔迹数据格式不正确。", field="strokes") from None
            points.append([x, y, min(max(p, 0.0), 1.0), t])
        total += len(points)
        cleaned.append(points)
    if total > MAX_POINTS:
        raise ServiceError("笔迹数据过大。", field="strokes")
    if not png or not png.startswith(PNG_MAGIC) or len(png) > MAX_PNG_BYTES:
        raise ServiceError("手写签批图片不正确。", field="png")
    return {"strokes": cleaned, "png": bytes(png)}
