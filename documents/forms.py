"""The drafting form: it parses what the browser sends into the ``changes`` dict the services take.

The body arrives as numbered pairs ``block-N-kind`` / ``block-N-text`` (the editor's script renumbers them
before submitting; without the script the same fields still work). Issuers arrive as repeated ``issuers``
selects, in order: the first is the lead (主办) issuer.
"""

from django import forms
from django.db.models import Q

from oa.core.errors import ServiceError
from oa.org.models import Unit

from .body import KIND_LABELS, KINDS, table_from_text, table_to_text
from .models import DocType, Document, Publicity, Secrecy, UnitTemplate, Urgency
from .selectors import issuer_candidates, recipient_candidates
from .services import refuse_if_classified
from .uploads import max_upload_bytes

MAX_FORM_BLOCKS = 2000


def iso_date_input():
    # <input type="date"> only understands ISO dates, whatever the locale's display format is.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrderedUnitsField(forms.TypedMultipleChoiceField):
    """Repeated selects of one name, in order; the empty "add another" select is ignored."""

    def to_python(self, value):
        return [v for v in super().to_python(value) if v != ""]


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label="文种", choices=DocType.choices)
    secrecy = forms.ChoiceField(
        label="密级", choices=Secrecy.choices, required=False, help_text="本系统只处理非涉密公文"
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)
    copy_number = forms.CharField(label="份号", max_length=6, required=False)
    issuers = OrderedUnitsField(
        label="发文机关", coerce=int, required=True, error_messages={"required": "请至少选择一个发文机关。"}
    )
    signers = forms.CharField(label="签发人", max_length=100, required=False, help_text="上行文必填；多人以“、”分隔")
    title = forms.CharField(label="标题", max_length=300, error_messages={"required": "请填写标题。"})
    main_units = UnitChoiceField(label="主送机关", queryset=None, required=False)
    main_recipients_text = forms.CharField(label="主送机关（其他）", max_length=500, required=False)
    attachment_note = forms.CharField(
        label="附件说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个附件名称，与上传的附件顺序一致",
    )
    signature = forms.CharField(
        label="署名",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="留空使用发文机关全称；联合行文每行一个",
    )
    written_date = forms.DateField(label="成文日期", required=False, widget=iso_date_input())
    note = forms.CharField(label="附注", max_length=300, required=False)
    cc_units = UnitChoiceField(label="抄送机关", queryset=None, required=False)
    cc_text = forms.CharField(label="抄送机关（其他）", max_length=500, required=False)
    printer = forms.CharField(label="印发机关", max_length=100, required=False)
    print_date = forms.DateField(label="印发日期", required=False, widget=iso_date_input())
    publicity = forms.ChoiceField(label="公开属性", choices=Publicity.choices)
    attachments = MultipleFileField(
        label="上传附件", required=False, help_text="PDF、DOCX、OFD 或图片；按内容检查，不看扩展名"
    )
    import_docx = forms.FileField(label="从 DOCX 导入正文", required=False, help_text="导入的内容将替换当前正文")
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    TEXT_KEYS = (
        "doc_type",
        "secrecy",
        "urgency",
        "copy_number",
        "signers",
        "title",
        "main_recipients_text",
        "attachment_note",
        "signature",
        "written_date",
        "note",
        "cc_text",
        "printer",
        "print_date",
        "publicity",
    )

    def __init__(self, *args, unit, document: Document | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        candidates = list(issuer_candidates(unit))
        current = document.ordered_issuers() if document else []
        for u in current:
            if u not in candidates:
                candidates.append(u)
        self.issuer_choices = [(u.pk, u.name) for u in candidates]
        self.fields["issuers"].choices = self.issuer_choices
        recipients = recipient_candidates(unit)
        if document is not None:
            chosen = [a.unit_id for a in document.addressees.all()]
            recipients = Unit.objects.filter(Q(pk__in=recipients.values("pk")) | Q(pk__in=chosen)).order_by("path")
        self.fields["main_units"].queryset = recipients
        self.fields["cc_units"].queryset = recipients
        self.posted_blocks = None

    # --- parsing -------------------------------------------------------------------------------------------

    def clean_secrecy(self):
        value = self.cleaned_data.get("secrecy") or ""
        try:
            refuse_if_classified(value)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        limit = max_upload_bytes()
        for f in files:
            if f.size > limit:
                raise forms.ValidationError(f"文件“{f.name}”过大，上限为 {limit // 1048576} MB。")
        return files

    def clean(self):
        cleaned = super().clean()
        self.posted_blocks = blocks_from_post(self.data)
        return cleaned

    def changes(self) -> dict:
        data = {key: self.cleaned_data.get(key) for key in self.TEXT_KEYS}
        data["secrecy"] = data["secrecy"] or ""
        data["urgency"] = data["urgency"] or ""
        data["issuers"] = self.cleaned_data["issuers"]
        data["main_units"] = list(self.cleaned_data.get("main_units") or [])
        data["cc_units"] = list(self.cleaned_data.get("cc_units") or [])
        data["body"] = self.posted_blocks or []
        return data

    # --- rendering -----------------------------------------------------------------------------------------

    def editor_blocks(self) -> list[dict]:
        """Blocks to show in the editor: what was posted (after an error) or what is saved."""
        if self.posted_blocks is not None:
            blocks = self.posted_blocks
        elif self.is_bound:
            blocks = blocks_from_post(self.data)
        else:
            blocks = list(self.document.body) if self.document else []
        return [editor_block(b) for b in blocks]

    def selected_issuers(self) -> list[int]:
        if self.is_bound:
            values = []
            for raw in self.data.getlist("issuers"):
                try:
                    values.append(int(raw))
                except (TypeError, ValueError):
                    continue
            return values
        return [int(v) for v in self.initial.get("issuers", [])]


def editor_block(block: dict) -> dict:
    kind = block.get("kind", "paragraph")
    text = table_to_text(block.get("rows", [])) if kind == "table" else block.get("text", "")
    return {"kind": kind, "text": text}


def blocks_from_post(data) -> list[dict]:
    """``block-N-kind`` / ``block-N-text`` pairs in N order; a table's text is rows of ``|``-separated cells."""
    indexes = []
    for key in data.keys():
        if key.startswith("block-") and key.endswith("-kind"):
            middle = key[len("block-") : -len("-kind")]
            if middle.isdigit() and len(middle) < 6:
                indexes.append(int(middle))
    blocks = []
    for index in sorted(indexes)[:MAX_FORM_BLOCKS]:
        kind = data.get(f"block-{index}-kind")
        text = data.get(f"block-{index}-text", "")
        if kind not in KINDS:
            kind = "paragraph"
        if kind == "table":
            blocks.append({"kind": "table", "rows": table_from_text(text)})
        else:
            blocks.append({"kind": kind, "text": text})
    return blocks


def initial_for(document: Document) -> dict:
    from .models import AddresseeKind

    initial = {key: getattr(document, key) for key in DocumentForm.TEXT_KEYS}
    initial["issuers"] = [u.pk for u in document.ordered_issuers()]
    initial["main_units"] = [u.pk for u in document.addressee_units(AddresseeKind.MAIN)]
    initial["cc_units"] = [u.pk for u in document.addressee_units(AddresseeKind.CC)]
    latest = document.versions.order_by("-number").values_list("number", flat=True).first()
    initial["base_version"] = latest
    return initial


BLOCK_KIND_CHOICES = [(k, KIND_LABELS[k]) for k in KINDS]


class UnitTemplateForm(forms.ModelForm):
    class Meta:
        model = UnitTemplate
        fields = ("issuer_mark", "issuer_mark_suffix", "code_override", "letter_code", "default_printer")
