package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The mapping between vulndesk's triage states and the formats' values.
//
//	vulndesk             OpenVEX status       CycloneDX analysis.state (response)
//	under_investigation  under_investigation  in_triage
//	affected             affected             exploitable
//	in_remediation       affected             exploitable (response update)
//	fixed                fixed                resolved; resolved_with_pedigree reads as fixed
//	not_affected         not_affected         not_affected
//	false_positive       not_affected (1)     false_positive
//	risk_accepted        affected (2)         exploitable (response will_not_fix) (2)
//
// (1) OpenVEX has no false positive: the export says not_affected with the
// justification vulnerable_code_not_present (the scanner named code the
// product does not have) and an impact statement that begins "False
// positive:"; an import of that statement reads it back as false_positive.
// (2) with an action statement (CycloneDX: detail) naming the exception.
//
// Justifications of not_affected: vulndesk uses OpenVEX's names.
//
//	OpenVEX / vulndesk                                 CycloneDX
//	component_not_present                              requires_dependency (3)
//	vulnerable_code_not_present                        code_not_present
//	vulnerable_code_not_in_execute_path                code_not_reachable
//	vulnerable_code_cannot_be_controlled_by_adversary  requires_configuration, requires_environment
//	inline_mitigations_already_exist                   protected_by_compiler, protected_at_runtime,
//	                                                   protected_at_perimeter, protected_by_mitigating_control
//
// (3) CycloneDX has no "component not present"; the nearest is that the
// vulnerability requires a dependency that is not there.
//
// Where one side has several values for one of the other's, the export
// writes the first and the decision keeps the value the document had
// (Native): an export to the format it came from writes that value again.
// A CycloneDX export also names vulndesk's own state and justification in
// the properties vulndesk:state and vulndesk:justification, which an
// import prefers, so that a round trip between two vulndesk servers keeps
// in_remediation, risk_accepted and component_not_present.

const (
	stateUnderInvestigation = "under_investigation"
	stateAffected           = "affected"
	stateInRemediation      = "in_remediation"
	stateFixed              = "fixed"
	stateNotAffected        = "not_affected"
	stateFalsePositive      = "false_positive"
	stateRiskAccepted       = "risk_accepted"
)

// justifications are vulndesk's (OpenVEX's) justifications.
var justifications = []string{
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"inline_mitigations_already_exist",
}

// falsePositivePrefix begins the impact statement of an OpenVEX
// not_affected statement that stands for a false positive.
const falsePositivePrefix = "False positive:"

var openVEXToState = map[string]string{
	"not_affected":        stateNotAffected,
	"affected":            stateAffected,
	"fixed":               stateFixed,
	"under_investigation": stateUnderInvestigation,
}

var stateToOpenVEX = map[string]string{
	stateUnderInvestigation: "under_investigation",
	stateAffected:           "affected",
	stateInRemediation:      "affected",
	stateFixed:              "fixed",
	stateNotAffected:        "not_affected",
	stateFalsePositive:      "not_affected",
	stateRiskAccepted:       "affected",
}

var cdxToState = map[string]string{
	"not_affected":           stateNotAffected,
	"exploitable":            stateAffected,
	"resolved":               stateFixed,
	"resolved_with_pedigree": stateFixed,
	"in_triage":              stateUnderInvestigation,
	"false_positive":         stateFalsePositive,
}

var stateToCDX = map[string]string{
	stateUnderInvestigation: "in_triage",
	stateAffected:           "exploitable",
	stateInRemediation:      "exploitable",
	stateFixed:              "resolved",
	stateNotAffected:        "not_affected",
	stateFalsePositive:      "false_positive",
	stateRiskAccepted:       "exploitable",
}

var cdxToJustification = map[string]string{
	"code_not_present":                "vulnerable_code_not_present",
	"code_not_reachable":              "vulnerable_code_not_in_execute_path",
	"requires_configuration":          "vulnerable_code_cannot_be_controlled_by_adversary",
	"requires_dependency":             "component_not_present",
	"requires_environment":            "vulnerable_code_cannot_be_controlled_by_adversary",
	"protected_by_compiler":           "inline_mitigations_already_exist",
	"protected_at_runtime":            "inline_mitigations_already_exist",
	"protected_at_perimeter":          "inline_mitigations_already_exist",
	"protected_by_mitigating_control": "inline_mitigations_already_exist",
}

var justificationToCDX = map[string]string{
	"component_not_present":                             "requires_dependency",
	"vulnerable_code_not_present":                       "code_not_present",
	"vulnerable_code_not_in_execute_path":               "code_not_reachable",
	"vulnerable_code_cannot_be_controlled_by_adversary": "requires_configuration",
	"inline_mitigations_already_exist":                  "protected_by_mitigating_control",
}

// OpenVEXStatus is the OpenVEX status a vulndesk state exports as.
func OpenVEXStatus(state string) string { return stateToOpenVEX[state] }

// CycloneDXState is the CycloneDX analysis state a vulndesk state exports as.
func CycloneDXState(state string) string { return stateToCDX[state] }

// CycloneDXJustification is the CycloneDX justification an OpenVEX one
// exports as.
func CycloneDXJustification(j string) string { return justificationToCDX[j] }

// fromOpenVEX maps an OpenVEX status and justification; problem says why
// they cannot be applied.
func fromOpenVEX(status, justification, impact string) (state, just, problem string) {
	state, ok := openVEXToState[status]
	switch {
	case !ok:
		return "", "", fmt.Sprintf("status %q: not an OpenVEX status (not_affected, affected, fixed, under_investigation)", status)
	case state != stateNotAffected:
		return state, "", ""
	case justification == "":
		return state, "", "not_affected without a justification (only an impact statement): vulndesk requires one of " + strings.Join(justifications, ", ")
	case !slices.Contains(justifications, justification):
		return state, "", fmt.Sprintf("justification %q: not an OpenVEX justification", justification)
	case justification == "vulnerable_code_not_present" && strings.HasPrefix(impact, falsePositivePrefix):
		return stateFalsePositive, "", ""
	}
	return state, justification, ""
}

// fromCycloneDX maps a CycloneDX analysis state and justification.
func fromCycloneDX(status, justification string) (state, just, problem string) {
	state, ok := cdxToState[status]
	switch {
	case status == "":
		return "", "", "no analysis state: not a VEX statement"
	case !ok:
		return "", "", fmt.Sprintf("analysis state %q: not a CycloneDX state", status)
	case state != stateNotAffected:
		return state, "", ""
	case justification == "":
		return state, "", "not_affected without a justification: vulndesk requires one (code_not_present, code_not_reachable, requires_…, protected_…)"
	}
	just, ok = cdxToJustification[justification]
	if !ok {
		return state, "", fmt.Sprintf("justification %q: not a CycloneDX justification", justification)
	}
	return state, just, ""
}

// decodeJSON decodes a whole document, naming where it is malformed.
func decodeJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return invalidf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return invalidf("field %q: a JSON %s where %s was expected", typ.Field, typ.Value, typ.Type)
	}
	return invalidf("%v", err)
}
