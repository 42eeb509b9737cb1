package securitytxt

import (
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vulndesk/vulndesk/internal/model"
)

// The paths of the pages and documents Generate links to, below the base
// URL.
const (
	PathWellKnown        = "/.well-known/security.txt"
	PathPolicy           = "/security/policy"
	PathReport           = "/security/report"
	PathAcknowledgements = "/security/acknowledgements"
	PathCSAF             = "/.well-known/csaf/provider-metadata.json"
)

// Generate writes the security.txt for the disclosure settings d. base is
// the https address the server is reached at, without a trailing slash;
// the fields made from it (the report form as the last Contact, Policy,
// Acknowledgments, Canonical and CSAF) are left out when it is not https,
// since RFC 9116 allows no other web URI. Expires is the start of now's
// day (UTC) plus d.ExpiresDays, so the file is the same all day.
func Generate(d model.Disclosure, base string, now time.Time) string {
	base = strings.TrimRight(base, "/")
	web := strings.HasPrefix(base, "https://")
	var b strings.Builder
	line := func(name, value string) { fmt.Fprintf(&b, "%s: %s\n", name, value) }
	if d.Organisation != "" {
		fmt.Fprintf(&b, "# The security contacts of %s\n", oneLine(d.Organisation))
	}
	if web {
		line("Canonical", base+PathWellKnown)
	}
	for _, c := range d.Contacts {
		line("Contact", c)
	}
	if web {
		line("Contact", base+PathReport)
	}
	line("Expires", ExpiresAt(d, now).Format(time.RFC3339))
	for _, e := range d.Encryption {
		line("Encryption", e)
	}
	if web {
		line("Policy", base+PathPolicy)
		line("Acknowledgments", base+PathAcknowledgements)
	}
	if len(d.PreferredLanguages) > 0 {
		line("Preferred-Languages", strings.Join(d.PreferredLanguages, ", "))
	}
	if web {
		line("CSAF", base+PathCSAF)
	}
	return b.String()
}

// ExpiresAt is the Expires Generate writes at now.
func ExpiresAt(d model.Disclosure, now time.Time) time.Time {
	days := d.ExpiresDays
	if days < 1 || days > model.MaxExpiresDays {
		days = model.DefaultDisclosure().ExpiresDays
	}
	y, m, dd := now.UTC().Date()
	return time.Date(y, m, dd+days, 0, 0, 0, 0, time.UTC)
}

// oneLine keeps a comment on its line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// Warnings say what would make the served file invalid or let it lapse:
// no Contact a researcher can use, or a signing key that expires before
// the file does. key is the signing key, nil when the file is unsigned.
func Warnings(d model.Disclosure, base string, key *openpgp.Entity, now time.Time) []string {
	var ws []string
	web := strings.HasPrefix(base, "https://")
	if len(d.Contacts) == 0 {
		if web {
			ws = append(ws, "security.txt's only Contact is the report form: add a contact (mailto:, https: or tel:) so that researchers have a second way to reach you")
		} else {
			ws = append(ws, "security.txt has no Contact, so it is invalid: set contacts, or a base_url with https so that the report form can be one (the server is not reached over https here)")
		}
	}
	if !web {
		ws = append(ws, "no https base_url: security.txt leaves out Canonical, Policy, Acknowledgments, CSAF and the report form, which RFC 9116 only allows as https URIs")
	}
	if key != nil {
		exp := ExpiresAt(d, now)
		if i := key.PrimaryIdentity(); i != nil && i.SelfSignature != nil && i.SelfSignature.KeyLifetimeSecs != nil && *i.SelfSignature.KeyLifetimeSecs > 0 {
			keyEnd := key.PrimaryKey.CreationTime.Add(time.Duration(*i.SelfSignature.KeyLifetimeSecs) * time.Second)
			if keyEnd.Before(exp) {
				ws = append(ws, fmt.Sprintf("the signing key expires on %s, before security.txt's Expires (%s): renew the key or shorten expires_days",
					keyEnd.UTC().Format(time.DateOnly), exp.Format(time.DateOnly)))
			}
		}
	}
	return ws
}
