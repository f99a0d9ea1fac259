"""Forms of the 题库 area: fields and CSRF only; the services validate (importers' rules for an edit)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import FieldList, HiddenField, SelectField, StringField, TextAreaField

from ...domain.importers import supported_extensions
from ...domain.questions import LETTERS, TYPE_LABELS
from ...services.banks import ON_DUPLICATE, ON_DUPLICATE_NAMES, spec_of
from .forms import ConsoleForm
from .forms import options as choice_list

EDIT_OPTION_SLOTS = 6  # option boxes shown for a question with fewer options (two spare at least)


class ImportForm(ConsoleForm):
    """A bank file, the bank it goes into, and what to do with questions the bank already has."""

    file = FileField("题库文件", render_kw={"accept": ",".join(supported_extensions())})
    bank = StringField("题库名（可不填：默认取文件中的名称，否则取文件名）", render_kw={"maxlength": 64})
    on_duplicate = SelectField("与题库中已有题目相同时", default="error",
                               choices=choice_list((code, ON_DUPLICATE_NAMES[code]) for code in ON_DUPLICATE))


class ConfirmImportForm(ConsoleForm):
    """确认导入: the upload id is in the URL; `expected` is the outcome the preview showed, to detect a change."""

    expected = HiddenField()


class QuestionForm(ConsoleForm):
    """One question's fields, as the template's columns."""

    # Choices are not checked here: the importers' validator judges every value, in its own words.
    type = SelectField("题型", choices=choice_list(TYPE_LABELS.items()), validate_choice=False)
    stem = TextAreaField("题干", render_kw={"rows": 3})
    options = FieldList(StringField("选项"), min_entries=EDIT_OPTION_SLOTS)
    answer = StringField("答案", render_kw={"maxlength": 60})
    explanation = TextAreaField("解析", render_kw={"rows": 4})
    source = StringField("出处", render_kw={"maxlength": 500})
    category = StringField("分类", render_kw={"maxlength": 64})
    difficulty = SelectField("难度", choices=choice_list([("", "不设"), ("1", "1（易）"), ("2", "2（中）"), ("3", "3（难）")]),
                             validate_choice=False)
    tags = StringField("标签（用顿号或逗号分隔）")
    valid_until = StringField("有效期至（可不填）", render_kw={"type": "date"})

    def add_errors(self, fields: dict[str, str]) -> dict[str, str]:
        """As ConsoleForm, and "options-N" reasons go beside option N."""
        rest = {}
        for name, reason in super().add_errors(fields).items():
            prefix, _, index = name.partition("-")
            if prefix == "options" and index.isdigit() and int(index) < len(self.options.entries):
                entry = self.options.entries[int(index)]
                entry.errors = [*entry.errors, reason]
            else:
                rest[name] = reason
        return rest

    def payload(self) -> dict:
        """The raw fields for the service, which validates them as an import would."""
        return {"type": self.type.data, "stem": self.stem.data, "options": list(self.options.data),
                "answer": self.answer.data, "explanation": self.explanation.data, "source": self.source.data,
                "category": self.category.data, "difficulty": self.difficulty.data, "tags": self.tags.data,
                "valid_until": self.valid_until.data}


def question_form(question, formdata=None) -> QuestionForm:
    """The edit form filled from a stored question (or from the posted data, re-shown with errors)."""
    options = [] if question.type == "judge" else list(question.options)
    slots = max(EDIT_OPTION_SLOTS, len(options) + 2)
    if formdata is not None:
        form = QuestionForm(formdata=formdata)
    else:
        form = QuestionForm(formdata=None, data={
            "type": question.type, "stem": question.stem, "options": options,
            "answer": spec_of(question).answer_text,
            "explanation": question.explanation, "source": question.source, "category": question.category,
            "difficulty": str(question.difficulty or ""), "tags": "、".join(question.tags or ()),
            "valid_until": question.valid_until.isoformat() if question.valid_until else ""})
    while len(form.options.entries) < min(slots, len(LETTERS)):
        form.options.append_entry()
    return form
