"""The checks, one module per concern; a pack names a check by its key in ``CHECKS``."""

from collections.abc import Callable

from arrears.compliance.gate.answer import Reason
from arrears.compliance.gate.checks.actions import (
    check_agency_placement,
    check_criminal_referral,
    check_entrustment_notice,
    check_furnish_after_contact,
    check_furnishing,
    check_referral_approval,
)
from arrears.compliance.gate.checks.channels import (
    check_employer_email,
    check_opt_out,
    check_opt_out_method,
    check_provenance,
    check_reassigned_number,
    check_recording,
    check_visit,
)
from arrears.compliance.gate.checks.content import (
    check_forbidden_content,
    check_identity_before_disclosure,
    check_limited_content,
    check_overshadowing,
    check_pressure,
    check_required_content,
)
from arrears.compliance.gate.checks.frequency import (
    check_after_conversation,
    check_call_frequency_7d,
    check_connected_per_day,
    check_unanswered_per_contact_point,
    check_volume_caps,
)
from arrears.compliance.gate.checks.holds import check_hold, check_plan, check_servicing_reminder
from arrears.compliance.gate.checks.hours import (
    check_contact_window,
    check_no_contact_preferences,
)
from arrears.compliance.gate.checks.legal_state import (
    check_capacity,
    check_dispute,
    check_forbearance,
    check_limitation,
    check_moratorium,
    check_ombudsman,
    check_tcpa,
    check_validation_notice,
    check_vulnerability,
)
from arrears.compliance.gate.checks.parties import (
    check_collection_target,
    check_location_call,
    check_third_party_cn,
    check_third_party_us,
    debtor_unreachable,
)
from arrears.compliance.gate.context import Context

CHECKS: dict[str, Callable[[Context, object], list[Reason]]] = {
    "contact_window": check_contact_window,
    "no_contact_preferences": check_no_contact_preferences,
    "hold": check_hold,
    "plan": check_plan,
    "collection_target": check_collection_target,
    "third_party_cn": check_third_party_cn,
    "third_party_us": check_third_party_us,
    "location_call": check_location_call,
    "unanswered_per_contact_point": check_unanswered_per_contact_point,
    "connected_per_day": check_connected_per_day,
    "servicing_reminder": check_servicing_reminder,
    "visit": check_visit,
    "provenance": check_provenance,
    "volume_caps": check_volume_caps,
    "opt_out": check_opt_out,
    "opt_out_method": check_opt_out_method,
    "forbidden_content": check_forbidden_content,
    "call_frequency_7d": check_call_frequency_7d,
    "after_conversation": check_after_conversation,
    "limitation": check_limitation,
    "moratorium": check_moratorium,
    "capacity": check_capacity,
    "vulnerability": check_vulnerability,
    "ombudsman": check_ombudsman,
    "forbearance": check_forbearance,
    "validation_notice": check_validation_notice,
    "dispute": check_dispute,
    "tcpa": check_tcpa,
    "agency_placement": check_agency_placement,
    "entrustment_notice": check_entrustment_notice,
    "furnish_after_contact": check_furnish_after_contact,
    "furnishing": check_furnishing,
    "criminal_referral": check_criminal_referral,
    "referral_approval": check_referral_approval,
    "identity_before_disclosure": check_identity_before_disclosure,
    "required_content": check_required_content,
    "limited_content": check_limited_content,
    "overshadowing": check_overshadowing,
    "pressure": check_pressure,
    "recording": check_recording,
    "reassigned_number": check_reassigned_number,
    "employer_email": check_employer_email,
}

__all__ = ["CHECKS", "debtor_unreachable"]
