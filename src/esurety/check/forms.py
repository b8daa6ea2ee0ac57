"""The upload form of the public check page."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_LABEL = "5MB"
# The PDF header may follow a few bytes of junk (PDF 32000-1 allows up to 1024 in practice).
_HEADER_WINDOW = 1024

REQUIRED_MESSAGE = "確認するPDFファイルを選択してください。"
EMPTY_MESSAGE = "選択されたファイルは空です。PDFファイルを選択してください。"
TOO_LARGE_MESSAGE = (
    f"ファイルが大きすぎます（上限 {MAX_UPLOAD_LABEL}）。esurety が発行する書類は通常 1MB 未満です。"
    "正しいファイルを選択しているかご確認ください。"
)
TOO_COMPLEX_MESSAGE = (
    "このPDFファイルは、esurety が発行する書類にはない複雑な構造（多数の署名欄やオブジェクトなど）を含むため、"
    "検証できませんでした。esurety から受け取ったPDFファイルを、そのまま選択してください。"
)
NOT_PDF_MESSAGE = "PDFファイルではありません。esurety から受け取ったPDFファイル（拡張子 .pdf）を選択してください。"


class CheckForm(forms.Form):
    document = forms.FileField(
        label="確認するPDFファイル",
        help_text=f"PDFファイル（{MAX_UPLOAD_LABEL}まで）。ファイルは確認にだけ使い、保存しません。",
        error_messages={"required": REQUIRED_MESSAGE, "empty": EMPTY_MESSAGE, "invalid": REQUIRED_MESSAGE},
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["document"]
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE_MESSAGE, code="too_large")
        head = upload.read(_HEADER_WINDOW)
        upload.seek(0)
        if b"%PDF-" not in head:
            raise forms.ValidationError(NOT_PDF_MESSAGE, code="not_pdf")
        return upload
