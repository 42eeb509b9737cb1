package api

import "github.com/vulndesk/vulndesk/internal/model"

// DisclosureSettings are the disclosure settings in force, with what the
// served security.txt looks like from where the request came.
type DisclosureSettings struct {
	model.Disclosure
	// Warnings say what makes the served security.txt invalid or lets it
	// lapse.
	Warnings []string `json:"warnings" doc:"what would make the served security.txt invalid or let it lapse (no contact besides the report form over plain http, no https base_url, a signing key that expires before Expires); empty when all is well"`
	// SecurityTxt is the file served now, "" when none can be served.
	SecurityTxt string `json:"security_txt" doc:"the security.txt /.well-known/security.txt serves now, for the address this request came to; empty when it would be invalid, and then nothing is served (404)"`
}
