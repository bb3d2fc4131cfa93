"""The Prioritized review pane: pick the question (a tag), set it up, review in prioritized order, watch the
gain curve and the stopping suggestion, and validate the review with a blind random sample.

In prioritized mode "Next document" (Alt+Down) asks the queue for the next document and the window lists it
(the documents served this session, in order); the reviewer decides with the usual hotkeys (the question's
tag key decides relevant) or the "not relevant" key (0); a decided document is followed by the next one.
Retraining runs on the model lane, in a child process, whenever it is due: the reviewer never waits for it.
While a validation sample is being decided, the queue serves it and scores are hidden everywhere.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import review
from reviewer.core.analytics import prioritize, validation
from reviewer.core.analytics.decisions import PROPAGATION_RULES, decisions
from reviewer.core.analytics.prioritize import QuestionChoices, ReviewProgress
from reviewer.core.case import Case
from reviewer.core.progress import CancelToken
from reviewer.ui.tasks import Lane, LatestProgress, TaskRunner
from reviewer.ui.widgets.gain_curve import GainCurve


def _read(case: Case, tag: str) -> ReviewProgress | None:
    """The question's progress, or None when the tag is not set up for prioritized review."""
    if tag not in prioritize.questions(case):
        return None
    return prioritize.review_progress(case, tag)


def _after_coding(case: Case, tag: str, doc_id: int) -> prioritize.QueueItem | None:
    """After the served document was coded: the next one if it is now decided for the question."""
    with case.db.reader() as session:
        _tag, question = prioritize.find_question(session, tag)
        decided = doc_id in decisions(session, question.tag_id)
    return _next(case, tag) if decided else None


def _next(case: Case, tag: str) -> prioritize.QueueItem | None:
    items = prioritize.next_documents(case, tag, 1).items
    return items[0] if items else None


def _decide(case: Case, tag: str, doc_id: int, relevant: bool) -> prioritize.QueueItem | None:
    prioritize.decide(case, tag, [doc_id], relevant)
    return _next(case, tag)


def _retrain(case: Case, tag: str, progress: LatestProgress, cancel: CancelToken) -> object:
    from reviewer.core.analytics.training import retrain
    from reviewer.ui.job_process import run_in_child

    return run_in_child(retrain, case.location, (tag,), progress, cancel)


def _training_key(state: prioritize.ReviewState) -> tuple[str, int, int]:
    return state.tag, state.reviewed, state.decisions_since_training


class PrioritizedReviewPane(QWidget):
    serve = Signal(int)  # show this document: the queue's next
    questionChanged = Signal(object)  # the tag id whose scores the list shows, or None
    changed = Signal()  # decisions or scores changed: lists and coding should be read again
    message = Signal(str)  # for the status bar

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prioritizePane")
        self._case = case
        self._tasks = tasks
        self._progress: ReviewProgress | None = None
        self._served: int | None = None  # the document the queue served last
        self._training = False
        self._failed: tuple[str, int, int] | None = None  # the state a training failed in: not retried
        self._generation = 0

        self.question = QComboBox()
        self.question.setObjectName("reviewQuestion")
        self.question.currentTextChanged.connect(lambda _name: self.refresh())

        self.retrain_every = QSpinBox()
        self.retrain_every.setRange(1, 10_000)
        self.retrain_every.setValue(prioritize.DEFAULT_RETRAIN_EVERY)
        self.seed_query = QLineEdit()
        self.seed_query.setObjectName("seedQuery")
        self.seed_query.setPlaceholderText("Optional search to start from")
        self.propagate = QComboBox()
        self.propagate.setObjectName("propagate")
        self.propagate.addItem("the document alone", "")
        for rule in PROPAGATION_RULES:
            self.propagate.addItem(f"whole {rule}", rule)
        self.target = QSpinBox()
        self.target.setRange(50, 99)
        self.target.setSuffix(" %")
        self.target.setValue(round(prioritize.DEFAULT_TARGET_RECALL * 100))
        self.save = QPushButton("Set up")
        self.save.setObjectName("saveChoices")
        self.save.clicked.connect(self.save_choices)
        choices = QGroupBox("Choices")
        form = QFormLayout(choices)
        form.addRow("Retrain every", self.retrain_every)
        form.addRow("Seed search", self.seed_query)
        form.addRow("A decision covers", self.propagate)
        form.addRow("Target recall", self.target)
        form.addRow("", self.save)

        self.active = QPushButton("Review in prioritized order")
        self.active.setObjectName("prioritizedMode")
        self.active.setCheckable(True)
        self.active.toggled.connect(self._mode_toggled)
        self.next_button = QPushButton("Next document")
        self.next_button.clicked.connect(self.serve_next)
        self.not_relevant = QPushButton("Not relevant (0)")
        self.not_relevant.setObjectName("notRelevant")
        self.not_relevant.clicked.connect(lambda: self.decide_served(False))
        self.retrain_button = QPushButton("Retrain now")
        self.retrain_button.clicked.connect(lambda: self.retrain(force=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.not_relevant)

        self.figures = QLabel()
        self.figures.setObjectName("reviewFigures")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.suggestion = QLabel()
        self.suggestion.setObjectName("stoppingSuggestion")
        self.suggestion.setWordWrap(True)
        self.curve = GainCurve()

        self.sample_size = QSpinBox()
        self.sample_size.setRange(0, 100_000)
        self.sample_size.setSpecialValueText("from confidence and margin")
        self.confidence = QSpinBox()
        self.confidence.setRange(80, 99)
        self.confidence.setValue(95)
        self.confidence.setSuffix(" %")
        self.margin = QSpinBox()
        self.margin.setRange(1, 20)
        self.margin.setValue(5)
        self.margin.setSuffix(" %")
        self.draw_button = QPushButton("Draw validation sample")
        self.draw_button.setObjectName("drawSample")
        self.draw_button.clicked.connect(self.draw_sample)
        self.abandon_button = QPushButton("Abandon sample")
        self.abandon_button.clicked.connect(self.abandon_sample)
        self.report_button = QPushButton("Validation report…")
        self.report_button.clicked.connect(self._choose_report)
        self.validation_status = QLabel()
        self.validation_status.setObjectName("validationStatus")
        self.validation_status.setWordWrap(True)
        checks = QGroupBox("Validation (elusion test)")
        check_form = QFormLayout(checks)
        check_form.addRow("Families to draw", self.sample_size)
        check_form.addRow("Confidence", self.confidence)
        check_form.addRow("Margin of error", self.margin)
        check_form.addRow(self.draw_button)
        check_form.addRow(self.abandon_button)
        check_form.addRow(self.report_button)
        check_form.addRow(self.validation_status)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(QLabel("Review question (tag)"))
        layout.addWidget(self.question)
        layout.addWidget(choices)
        layout.addWidget(self.active)
        layout.addLayout(buttons)
        layout.addWidget(self.retrain_button)
        layout.addWidget(self.figures)
        layout.addWidget(self.curve)
        layout.addWidget(self.suggestion)
        layout.addWidget(checks)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._tasks.run(partial(review.list_tags, case), self._show_tags)
        self._show(None)

    # --- the question ----------------------------------------------------------------------------------
    @property
    def tag(self) -> str:
        return self.question.currentText()

    @property
    def is_active(self) -> bool:
        return self.active.isChecked() and self._progress is not None

    @property
    def served(self) -> int | None:
        return self._served

    def _show_tags(self, tags: list[review.TagInfo]) -> None:
        chosen = self.tag
        self.question.blockSignals(True)
        self.question.clear()
        self.question.addItems([tag.name for tag in tags])
        self.question.blockSignals(False)
        if chosen:
            self.question.setCurrentText(chosen)
        self.refresh()

    def refresh(self) -> None:
        """Read the question's state and progress again (and retrain when that is due)."""
        if not self.tag:
            return
        self._generation += 1
        self._tasks.run(partial(_read, self._case, self.tag), partial(self._shown, self._generation))

    def _shown(self, generation: int, progress: ReviewProgress | None) -> None:
        if generation != self._generation:
            return
        self._show(progress)
        self.questionChanged.emit(progress.state.tag_id if progress else None)
        if progress is not None and progress.state.retrain_due:
            self.retrain()

    def _show(self, progress: ReviewProgress | None) -> None:
        self._progress = progress
        ready = progress is not None
        for widget in (self.active, self.next_button, self.not_relevant, self.retrain_button,
                       self.draw_button, self.report_button):
            widget.setEnabled(ready)
        self.save.setText("Save choices" if ready else "Set up")
        if progress is None:
            self.figures.setText(f'"{self.tag}" is not set up for prioritized review.' if self.tag else "")
            self.suggestion.setText("")
            self.validation_status.setText("")
            self.abandon_button.setEnabled(False)
            self.curve.show_curve([], None)
            self.active.setChecked(False)
            return
        state = progress.state
        self.retrain_every.setValue(state.retrain_every)
        self.seed_query.setText(state.seed_query)
        self.propagate.setCurrentIndex(max(0, self.propagate.findData(state.propagate)))
        self.target.setValue(round(state.target_recall * 100))
        model = (f"model version {state.model_version}, trained {state.trained:%Y-%m-%d %H:%M} UTC"
                 if state.trained else "no model yet: documents are served at random")
        if self._training:
            model += " · retraining…"
        richness = progress.richness
        estimate = ("not estimated yet" if richness is None else
                    f"{richness.share:.1%} (about {richness.relevant:,.0f} relevant; "
                    f"{richness.draws} random draws)")
        self.figures.setText(
            f"{state.relevant:,} relevant found in {state.reviewed:,} reviewed "
            f"({state.not_relevant:,} not relevant) · {state.unreviewed:,} unreviewed of "
            f"{state.population:,}\nEstimated richness {estimate}\n{model}")
        self.curve.show_curve(progress.gain, richness.share if richness else None)
        self.suggestion.setText(progress.suggestion.basis)
        blind = state.validating is not None
        self.abandon_button.setEnabled(blind)
        self.draw_button.setEnabled(not blind)
        self.retrain_button.setEnabled(not blind)
        self.validation_status.setText(
            f"Validation sample {state.validating} is being decided: scores are hidden until it is done."
            if blind else "")

    def save_choices(self) -> None:
        choices = QuestionChoices(retrain_every=self.retrain_every.value(), seed_query=self.seed_query.text(),
                                  propagate=self.propagate.currentData(),
                                  target_recall=self.target.value() / 100)
        self._tasks.run(partial(prioritize.set_up, self._case, self.tag, choices),
                        lambda _state: self._changed(), lane=Lane.WRITE)

    # --- prioritized mode ------------------------------------------------------------------------------
    def _mode_toggled(self, on: bool) -> None:
        if on and self._served is None:
            self.serve_next()

    def serve_next(self) -> None:
        if self._progress is None:
            return
        self._tasks.run(partial(_next, self._case, self.tag), self._serve, lane=Lane.WRITE)

    def _serve(self, item: prioritize.QueueItem | None) -> None:
        if item is None:
            self._served = None
            self.message.emit(f'Nothing left to review for "{self.tag}".')
            return
        self._served = item.document_id
        self.serve.emit(item.document_id)
        if item.random:
            self.message.emit(f"{item.control} was drawn at random, so the model keeps learning.")

    def after_coding(self, doc_ids: list[int]) -> None:
        """Coding changed: read the figures again; in prioritized mode a decided served document is followed
        by the next one."""
        if self._progress is None:
            return
        if self.is_active and self._served is not None and doc_ids == [self._served]:
            self._tasks.run(partial(_after_coding, self._case, self.tag, self._served),
                            self._served_next, lane=Lane.WRITE)
        self.refresh()

    def _served_next(self, item: prioritize.QueueItem | None) -> None:
        if item is not None:
            self._serve(item)

    def decide_served(self, relevant: bool, doc_id: int | None = None) -> None:
        """Decide the served document (or `doc_id`) and serve the next one."""
        target = doc_id if doc_id is not None else self._served
        if self._progress is None or target is None:
            return
        self._tasks.run(partial(_decide, self._case, self.tag, target, relevant),
                        self._decided_then_serve, lane=Lane.WRITE)

    def _decided_then_serve(self, item: prioritize.QueueItem | None) -> None:
        self._changed()
        if self.is_active:
            self._serve(item)

    def _changed(self) -> None:
        self.changed.emit()
        self.refresh()

    # --- the model -------------------------------------------------------------------------------------
    def retrain(self, force: bool = False) -> None:
        """Train in the background when it is due (or asked for); one training at a time."""
        if self._training or self._progress is None:
            return
        state = self._progress.state
        if not force and (not state.retrain_due or self._failed == _training_key(state)):
            return
        self._training = True
        self._show(self._progress)
        progress, cancel = LatestProgress(), CancelToken()
        self._tasks.run(partial(_retrain, self._case, self.tag, progress, cancel), self._trained,
                        self._training_failed, lane=Lane.MODEL, cancel=cancel)

    def _trained(self, _model: object) -> None:
        self._training = False
        self._changed()

    def _training_failed(self, error: BaseException) -> None:
        self._training = False
        if self._progress is not None:
            self._failed = _training_key(self._progress.state)
        self.message.emit(str(error))
        self.refresh()

    # --- validation ------------------------------------------------------------------------------------
    def draw_sample(self, seed: int | None = None) -> None:
        families = self.sample_size.value() or None
        confidence = None if families else self.confidence.value() / 100
        margin = None if families else self.margin.value() / 100
        self._tasks.run(partial(validation.draw, self._case, self.tag, families, confidence, margin, seed),
                        self._drawn, lane=Lane.WRITE)

    def _drawn(self, drawn: validation.ValidationResult) -> None:
        self.message.emit(f"Drew validation sample {drawn.number}: {drawn.sample:,} documents to decide "
                          "blind.")
        self._served = None
        self._changed()
        if self.is_active:
            self.serve_next()

    def abandon_sample(self) -> None:
        self._tasks.run(partial(validation.abandon, self._case, self.tag), self._abandoned, lane=Lane.WRITE)

    def _abandoned(self, number: int) -> None:
        self.message.emit(f"Abandoned validation sample {number}.")
        self._changed()

    def _choose_report(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Save the validation report", "validation.docx",
                                                    "Word document (*.docx);;PDF (*.pdf)")
        if path:
            self.write_report(Path(path))

    def write_report(self, path: Path) -> None:
        from reviewer.core.analytics.validation_report import write_report

        def work() -> Path:
            return write_report(validation.result(self._case, self.tag), path, self._case.name)

        self._tasks.run(work, lambda figures: self.message.emit(f"Wrote {path} and {figures}."))
