from django import forms

from oa.audit.models import Result
from oa.audit.trail import TrailFilter


class DateInput(forms.DateInput):
    input_type = "date"


class TrailFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=80)
    action = forms.CharField(label="操作", required=False, max_length=60, help_text="前缀匹配，如 todo.")
    object = forms.CharField(label="对象", required=False, max_length=200)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部")] + list(Result.choices))
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput)
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def to_filter(self) -> TrailFilter:
        if not self.is_valid():
            return TrailFilter()
        data = self.cleaned_data
        return TrailFilter(
            actor=data["actor"].strip(),
            action=data["action"].strip(),
            object=data["object"].strip(),
            result=data["result"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
