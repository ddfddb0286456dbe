"""Forms parse input for the services; the services decide what is allowed."""

from datetime import date

from django import forms

from oa.core.errors import ServiceError
from oa.org.models import Person, Role, Unit
from oa.supervision.models import SourceKind


class RaiseForm(forms.Form):
    title = forms.CharField(label="督办事项", max_length=200)
    instruction = forms.CharField(label="批示/决定内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    source_kind = forms.ChoiceField(label="来源", choices=SourceKind.choices, initial=SourceKind.DIRECT)
    leader = forms.ModelChoiceField(label="批示领导", queryset=Person.objects.none(), required=False)
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=Unit.objects.filter(is_active=True))
    cooperating_units = forms.ModelMultipleChoiceField(
        label="配合单位", queryset=Unit.objects.filter(is_active=True), required=False
    )
    deadline = forms.DateField(label="办结时限", widget=forms.DateInput(attrs={"type": "date"}))
    report_interval = forms.IntegerField(label="进展报送周期（工作日）", min_value=1, max_value=60, initial=5)
    milestones = forms.CharField(
        label="时间节点",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个：2026-10-20 完成方案"}),
        help_text="每行一个节点：日期 空格 节点名称",
    )

    def __init__(self, *args, raising_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if raising_unit is not None:
            self.fields["leader"].queryset = Person.objects.filter(
                is_active=True, role_assignments__unit=raising_unit, role_assignments__role=Role.SIGNER
            ).distinct()

    def clean_milestones(self):
        return parse_milestones(self.cleaned_data.get("milestones", ""))


def parse_milestones(text: str) -> list[tuple[str, date]]:
    result = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        day, _, title = line.partition(" ")
        try:
            due = date.fromisoformat(day)
        except ValueError as exc:
            raise forms.ValidationError(f"第 {number} 行的日期格式不正确，应为 2026-10-20 这样的日期。") from exc
        if not title.strip():
            raise forms.ValidationError(f"第 {number} 行缺少节点名称。")
        result.append((title.strip(), due))
    return result


class ProgressForm(forms.Form):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    percent = forms.IntegerField(label="完成进度(%)", min_value=0, max_value=100, required=False)
    milestone = forms.IntegerField(label="完成节点", required=False)


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return "输入有误。"


def month_param(value: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        date(year, month, 1)
    except ValueError as exc:
        raise ServiceError("月份格式应为 2026-10。", field="month") from exc
    return year, month
