from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.html import format_html_join


class LoginForm(AuthenticationForm):
    """Django's form (it passes the request to authenticate(), which axes needs) with our wording.
    One message for every failure: the page must not reveal whether an account exists."""

    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次输错将锁定账号。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        )
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label="新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="确认新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        rules = [text for text in password_validation.password_validators_help_texts() if text]
        self.fields["new_password1"].help_text = format_html_join("", "<li>{}</li>", ((t,) for t in rules))

    def clean_new_password2(self):
        p1 = self.cleaned_data.get("new_password1")
        p2 = self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("两次输入的新密码不一致。")
        return p2

    def clean(self):
        cleaned = super().clean()
        p1 = cleaned.get("new_password1")
        if p1 and not self.has_error("new_password2"):
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class UnlockForm(forms.Form):
    username = forms.CharField(max_length=150)

