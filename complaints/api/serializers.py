"""API representations. Identity is never in a list, and in a detail only where allowed."""

from functools import cache

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from complaints.codes import display_code
from complaints.models import Complaint, Kind, State, choice_label


class QueueRowsSerializer(serializers.ListSerializer):
    """A page of the queue as plain dicts, from the rows the selector reads as values
    (complaints.workspace.selectors.complaint_queue_values_for: no model instance a row). DRF's
    field-by-field path (a signature check and an attribute walk per field, 17 fields × 50 rows)
    cost more than the page's query; this gives the same keys and the same formats (a test holds
    it to the declared fields)."""

    def to_representation(self, data):
        moment = serializers.DateTimeField()
        # Each label translated once a page, not once a row.
        states = cache(lambda value: str(choice_label(State, value)))
        kinds = cache(lambda value: str(choice_label(Kind, value)))
        now = timezone.now()  # is_overdue of every row at the same moment
        return [
            {
                "id": c["id"],
                "tracking_code": display_code(c["tracking_code"]),
                "state": c["state"],
                "state_label": states(c["state"]),
                "kind": c["kind"],
                "kind_label": kinds(c["kind"]),
                # A human-rights report has no category: null, as the row says.
                "category": c["category"].name_id if c["category"] else None,
                "agency": c["agency"].name if c["agency"] else c["agency_name"],
                "province_id": c["province_id"],
                "regency_id": c["regency_id"],
                "unit": c["unit"].name,
                "channel": c["channel"],
                "confidentiality": c["confidentiality"],
                "assignee_id": c["assignee_id"],
                "created_at": moment.to_representation(c["created_at"]),
                "due_at": moment.to_representation(c["due_at"]) if c["due_at"] else None,
                "is_overdue": c["due_at"] is not None and c["due_at"] < now,
                "urgent": c["urgent"],
            }
            for c in data
        ]


class ComplaintListSerializer(serializers.ModelSerializer):
    tracking_code = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display")
    kind_label = serializers.CharField(source="get_kind_display")
    # A human-rights report has no category: null, as the row says.
    category = serializers.CharField(source="category.name_id", default=None, allow_null=True)
    agency = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.name")
    is_overdue = serializers.BooleanField()
    urgent = serializers.BooleanField(
        help_text="urgent (mendesak): listed before the others, on shorter deadlines (docs/domain.md#urgency)"
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_code",
            "state",
            "state_label",
            "kind",
            "kind_label",
            "category",
            "agency",
            "province_id",
            "regency_id",
            "unit",
            "channel",
            "confidentiality",
            "assignee_id",
            "created_at",
            "due_at",
            "is_overdue",
            "urgent",
        ]
        list_serializer_class = QueueRowsSerializer

    def get_tracking_code(self, obj) -> str:
        return display_code(obj.tracking_code)

    def get_agency(self, obj) -> str:
        return obj.agency.name if obj.agency_id else obj.agency_name


class TransitionChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    type = serializers.CharField(help_text="the form field's kind: char, choice, boolean, typedchoice, …")
    choices = TransitionChoiceSerializer(many=True, allow_null=True)


class AvailableTransitionSerializer(serializers.Serializer):
    """A step this officer may take now, and what it asks for (workflow.engine.describe)."""

    name = serializers.CharField()
    label = serializers.CharField()
    note_required = serializers.BooleanField()
    fields = TransitionFieldSerializer(many=True)


class UrgencyReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="category:<code>, group:<code> or words:<topic>")
    label = serializers.CharField()


class ComplaintDetailSerializer(ComplaintListSerializer):
    description = serializers.CharField()
    location = serializers.CharField()
    incident_date = serializers.DateField(allow_null=True)  # the form leaves it optional
    desired_outcome = serializers.CharField()
    vulnerable_groups = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    identity = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    urgency_claimed = serializers.BooleanField(
        allow_null=True, help_text="what the complainant answered: urgent, not urgent, or null (not said)"
    )
    urgency_source = serializers.CharField(
        help_text="who made it urgent or not last: complainant, suggested (by Sigap), officer, or empty"
    )
    urgency_reasons = serializers.SerializerMethodField()
    urgency_note = serializers.CharField(help_text="the officer's reason for their decision")
    urgency_reviewed_at = serializers.DateTimeField(allow_null=True)

    class Meta(ComplaintListSerializer.Meta):
        list_serializer_class = serializers.ListSerializer
        fields = ComplaintListSerializer.Meta.fields + [
            "description",
            "location",
            "incident_date",
            "complained_to_agency_first",
            "desired_outcome",
            "vulnerable_groups",
            "reporter_type",
            "req_identity",
            "req_chronology",
            "req_agency_first",
            "req_within_two_years",
            "outcome",
            "public_summary",
            "urgency_claimed",
            "urgency_source",
            "urgency_reasons",
            "urgency_note",
            "urgency_reviewed_at",
            "identity",
            "available_transitions",
        ]

    @extend_schema_field(UrgencyReasonSerializer(many=True))
    def get_urgency_reasons(self, obj) -> list:
        """Why Sigap suggested it was urgent: each reason's code and its label in the request's language."""
        from complaints.urgency import reasons_from_json

        return [
            {"code": reason.code, "label": reason.label()}
            for reason in reasons_from_json(obj.urgency_reasons)
        ]

    def get_identity(self, obj) -> dict | None:
        reader = self.context.get("identity_reader")
        return reader(obj) if reader else None

    @extend_schema_field(AvailableTransitionSerializer(many=True))
    def get_available_transitions(self, obj) -> list:
        from workflow import engine
        from workflow.engine import Actor

        actor = Actor.officer(self.context["request"].user)
        return [engine.describe(spec, obj) for spec in engine.available_transitions(obj, actor)]


@extend_schema_serializer(many=False)  # one page object, though the list action names it
class ComplaintQueuePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="the next page, or null on the last")
    results = ComplaintListSerializer(many=True)


class TransitionResultSerializer(serializers.Serializer):
    """The case after a step: its new state and what may be done next."""

    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    available_transitions = AvailableTransitionSerializer(many=True)


class IdentityRevealSerializer(serializers.Serializer):
    # Blank passes to identity_reveal, which asks for a reason in its own words.
    reason = serializers.CharField(
        max_length=300, allow_blank=True, help_text="why the identity is needed (logged)"
    )


class RevealedIdentitySerializer(serializers.Serializer):
    identity = serializers.DictField(allow_null=True)


class IntakeCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    pin = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class IntakeReplayedSerializer(IntakeCreatedSerializer):
    """The complaint filed first with the request's Idempotency-Key (docs/domain.md#one-complaint-once)."""

    pin = serializers.CharField(
        allow_null=True,
        help_text="the first answer's PIN for 24 hours after it; null after that (a new PIN: /lacak/pin-baru/)",
    )


class TrackRequestSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(max_length=20)
    pin = serializers.CharField(max_length=10)


class TrackActionSerializer(TrackRequestSerializer):
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class TimelineStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    text = serializers.CharField()


class MergedCaseSerializer(serializers.Serializer):
    """Where the case a merged complaint joined stands: never its complainant's data."""

    status = serializers.CharField()
    status_label = serializers.CharField()
    explanation = serializers.CharField()
    outcome_label = serializers.CharField()
    timeline = TimelineStepSerializer(many=True)


class TrackStatusSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    explanation = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    timeline = TimelineStepSerializer(many=True)
    merged_into = MergedCaseSerializer(allow_null=True)


def _intake_request_fields(*, with_evidence: bool) -> dict:
    """The intake form's fields as API documentation, so the schema cannot drift from the form.

    Only documents: the request is validated by complaints.intake.forms.ComplaintIntakeForm itself.
    Reference data (province, regency, agency, category, vulnerable groups) is sent by the
    identifiers listed at /api/v1/reference/.
    """
    from django import forms as django_forms

    from complaints.intake.forms import ComplaintIntakeForm

    fields: dict = {}
    for name, field in ComplaintIntakeForm.base_fields.items():
        options = {"required": field.required, "help_text": field.label}
        if name == "evidence":
            if with_evidence:
                fields[name] = serializers.ListField(
                    child=serializers.FileField(), required=False, help_text=field.label
                )
            continue
        if name in ("complained_to_agency_first", "consent_pdp"):
            fields[name] = serializers.BooleanField(**options)
        elif name == "urgent":
            # Optional: true, false, or absent/null when the complainant cannot say.
            help_text = f"{field.label} {field.help_text}"
            fields[name] = serializers.BooleanField(required=False, allow_null=True, help_text=help_text)
        elif isinstance(field, django_forms.ModelMultipleChoiceField):
            fields[name] = serializers.ListField(child=serializers.IntegerField(), **options)
        elif isinstance(field, django_forms.ModelChoiceField):
            fields[name] = serializers.CharField(**options)
        elif isinstance(field, django_forms.ChoiceField):
            fields[name] = serializers.ChoiceField(choices=field.choices, **options)
        elif isinstance(field, django_forms.DateField):
            fields[name] = serializers.DateField(**options)
        elif isinstance(field, django_forms.EmailField):
            fields[name] = serializers.EmailField(**options)
        else:
            fields[name] = serializers.CharField(max_length=field.max_length, **options)
    return fields


# Named without "Request": drf-spectacular adds it to request components (IntakeRequest).
IntakeRequestSerializer = type(
    "IntakeSerializer", (serializers.Serializer,), _intake_request_fields(with_evidence=False)
)
IntakeMultipartRequestSerializer = type(
    "IntakeMultipartSerializer",
    (serializers.Serializer,),
    _intake_request_fields(with_evidence=True),
)


class ErrorSerializer(serializers.Serializer):
    """Every refusal (4xx, 503): a sentence, and the messages by field when a request was read
    but a field was wrong; both in the language of Accept-Language (Bahasa Indonesia first)."""

    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="field → messages in the request's language (Accept-Language)",
    )


class TransitionRefusalSerializer(ErrorSerializer):
    state = serializers.CharField(
        required=False, allow_null=True, help_text="the case's state now, so the client can reload"
    )
