package model

// Disclosure holds the settings of coordinated vulnerability disclosure:
// what security.txt says, what the policy page promises and the timers
// a disclosure case runs on. It is stored as one setting ("disclosure");
// a field never set takes its value from DefaultDisclosure.
type Disclosure struct {
	// Organisation is who publishes the policy and the advisories.
	Organisation string `json:"organisation" doc:"the organisation that publishes the policy and its advisories, at most 200 characters"`
	// BaseURL is the public https address strangers reach the server at;
	// security.txt's Canonical, Policy, Acknowledgments and CSAF fields
	// are made from it.
	BaseURL string `json:"base_url" doc:"the public https address strangers reach this server at (https://vulndesk.example.org), at most 500 characters, no query or fragment; security.txt's Canonical, Policy, Acknowledgments and CSAF URIs are made from it. Empty: the address a request arrived at, when it arrived over TLS"`
	// Contacts are security.txt Contact URIs (mailto:, https:, tel:),
	// most preferred first; the report form is always one of them.
	Contacts           []string `json:"contacts" doc:"security.txt Contact URIs, most preferred first: mailto:, https: or tel:, at most 10 of at most 500 characters; the public report form is added after them"`
	Encryption         []string `json:"encryption" doc:"security.txt Encryption URIs: where the key to encrypt reports with is (https: or openpgp4fpr: with the key's fingerprint), at most 5 of at most 500 characters"`
	PreferredLanguages []string `json:"preferred_languages" doc:"languages reports may be written in, as RFC 5646 tags (en, de, nl), at most 20"`
	// ExpiresDays is how far ahead security.txt's Expires is set each
	// time it is made (RFC 9116 asks for less than a year).
	ExpiresDays int `json:"expires_days" doc:"how far ahead security.txt's Expires field is set, in days: 1–364 (default 180)"`

	// The policy's texts (plain text, paragraphs separated by blank lines).
	Scope       string `json:"scope" doc:"what the policy covers and what is out of scope, plain text (paragraphs separated by blank lines), at most 10,000 characters"`
	SafeHarbour string `json:"safe_harbour" doc:"the safe-harbour commitment to good-faith researchers, plain text, at most 10,000 characters"`
	Credit      string `json:"credit" doc:"how reporters are credited, plain text, at most 10,000 characters"`

	// CSIRT is the national CSIRT that coordinates disclosure (NIS2 Art. 12).
	CSIRT CSIRT `json:"csirt" doc:"the national CSIRT acting as coordinator (NIS2 Art. 12)"`

	Timers CaseTimers `json:"timers" doc:"the timers a disclosure case runs on, as the policy promises them"`
}

// CSIRT names the national CSIRT designated as coordinator.
type CSIRT struct {
	Name    string `json:"name" doc:"its name (CERT-Bund, NCSC-NL, CERT-FR, …), at most 200 characters; empty when none is configured"`
	URL     string `json:"url" doc:"its web address (https:), at most 500 characters"`
	Contact string `json:"contact" doc:"how to reach it (mailto: or https:), at most 500 characters"`
}

// CaseTimers are the disclosure case's deadlines, counted from the
// report's receipt (acknowledge, triage) or from the case turning valid
// (fix, disclosure).
type CaseTimers struct {
	AcknowledgeBusinessDays int `json:"acknowledge_business_days" doc:"acknowledge a report within this many business days (Monday–Friday) of receiving it: 1–30 and at most triage_business_days (default 3)"`
	TriageBusinessDays      int `json:"triage_business_days" doc:"decide whether a report is valid within this many business days of receiving it: 1–60 (default 10)"`
	// FixDays is the target fix time per severity (critical, high,
	// medium, low).
	FixDays        map[string]int `json:"fix_days" doc:"target days from valid to fixed, per severity (critical, high, medium, low): 1–3650 (defaults 30, 60, 90, 180)"`
	DisclosureDays int            `json:"disclosure_days" doc:"publish at the latest this many days after the report arrived, fixed or not, unless an extension is agreed: 1–3650 (default 90)"`
	// ExploitedDisclosureDays replaces DisclosureDays when the flaw is
	// actively exploited.
	ExploitedDisclosureDays int `json:"exploited_disclosure_days" doc:"the disclosure deadline when the flaw is actively exploited, in days: 1–3650 (default 7)"`
	MaxExtensionDays        int `json:"max_extension_days" doc:"the longest extension of the disclosure date the policy allows, in days: 0–3650 (default 45)"`
}

// DefaultDisclosure is what the policy says before anyone edits it.
func DefaultDisclosure() Disclosure {
	return Disclosure{
		Contacts:           []string{},
		Encryption:         []string{},
		PreferredLanguages: []string{"en"},
		ExpiresDays:        180,
		Scope: "This policy covers the products listed below, their current and supported versions, " +
			"and the services this organisation runs under its own domains. Out of scope: denial-of-service " +
			"testing, social engineering, physical attacks, and reports from automated scanners without a " +
			"demonstrated impact.",
		SafeHarbour: "We will not take legal action against you, nor ask anyone else to, for research done in " +
			"good faith under this policy: you avoid harm to people, privacy and data, you do not degrade our " +
			"services, you keep what you find confidential until it is disclosed as agreed, and you stop and " +
			"tell us as soon as you reach data that is not yours.",
		Credit: "With your consent we thank you by the name you give on our acknowledgements page and in " +
			"the advisory. You may stay anonymous.",
		Timers: DefaultCaseTimers(),
	}
}

// DefaultCaseTimers are the timers of the default policy.
func DefaultCaseTimers() CaseTimers {
	return CaseTimers{
		AcknowledgeBusinessDays: 3,
		TriageBusinessDays:      10,
		FixDays:                 map[string]int{"critical": 30, "high": 60, "medium": 90, "low": 180},
		DisclosureDays:          90,
		ExploitedDisclosureDays: 7,
		MaxExtensionDays:        45,
	}
}
