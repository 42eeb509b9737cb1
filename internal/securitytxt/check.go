package securitytxt

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Severity says whether a problem makes the file invalid.
type Severity string

// Severities: an error makes the file invalid; a warning does not.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is one thing wrong with a file.
type Problem struct {
	Severity Severity `json:"severity"`
	// Line is the line it is on, from 1; 0 for the file as a whole.
	Line int `json:"line,omitempty"`
	// Field names the field it is about, if any.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	where := "file"
	if p.Line > 0 {
		where = fmt.Sprintf("line %d", p.Line)
	}
	if p.Field != "" {
		where += " (" + p.Field + ")"
	}
	return fmt.Sprintf("%s: %s: %s", p.Severity, where, p.Message)
}

// Options is what Check checks a file against.
type Options struct {
	// Now is the time Expires is judged at; Check takes the clock as a
	// parameter so that a verdict can be pinned.
	Now time.Time
	// URL is the address the file was fetched from, if it was: Canonical
	// fields, when there are any, must list it (RFC 9116 §2.5.2).
	URL string
	// Keys verify the signature cryptographically; without them only
	// what needs no key is checked (see Verification).
	Keys openpgp.EntityList
}

// Result is Check's verdict.
type Result struct {
	Problems []Problem
	// Signature is what was found out about a signed file's signature;
	// nil for an unsigned file.
	Signature *SignatureReport
	// Expires is the Expires field's time, zero when it has none that
	// parses.
	Expires time.Time
}

// Valid tells the file has no error (warnings allowed).
func (r Result) Valid() bool {
	for _, p := range r.Problems {
		if p.Severity == Error {
			return false
		}
	}
	return true
}

// uriFields are the fields whose value is one URI.
var uriFields = []string{"Acknowledgments", "Canonical", "Contact", "Encryption", "Hiring", "Policy", "CSAF"}

// Check checks a parsed file against RFC 9116 (and CSAF 2.0's field):
// every problem, errors first by line, then warnings.
func Check(f *File, o Options) Result {
	c := checker{f: f, o: o}
	c.problems = append(c.problems, f.Malformed...)
	c.fieldSyntax()
	c.contact()
	c.expires()
	c.languages()
	c.canonical()
	c.csaf()
	if f.Signed != nil {
		c.res.Signature = verify(f, o, &c)
		if len(f.Get("Canonical")) == 0 {
			c.warn(0, "Canonical", "the file is signed but has no Canonical field, so the signature does not authenticate where the file applies (RFC 9116 §2.3)")
		}
	}
	slices.SortStableFunc(c.problems, func(a, b Problem) int {
		if a.Severity != b.Severity {
			if a.Severity == Error {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
	c.res.Problems = c.problems
	return c.res
}

type checker struct {
	f        *File
	o        Options
	problems []Problem
	res      Result
}

func (c *checker) add(sev Severity, line int, field, format string, a ...any) {
	c.problems = append(c.problems, Problem{Severity: sev, Line: line, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (c *checker) err(line int, field, format string, a ...any) {
	c.add(Error, line, field, format, a...)
}

func (c *checker) warn(line int, field, format string, a ...any) {
	c.add(Warning, line, field, format, a...)
}

// fieldSyntax checks each known field's value: the URI fields' URIs.
func (c *checker) fieldSyntax() {
	for _, fl := range c.f.Fields {
		if !fl.Known {
			continue
		}
		if fl.NoSpace {
			c.warn(fl.Line, fl.Key, "no space after the colon (the ABNF asks for \"%s: value\")", fl.Key)
		}
		if slices.Contains(uriFields, fl.Key) {
			if msg := checkURI(fl.Key, fl.Value); msg != "" {
				c.err(fl.Line, fl.Key, "%s", msg)
			}
		}
	}
}

// checkURI says what is wrong with a URI field's value, or "".
func checkURI(field, v string) string {
	if strings.ContainsAny(v, " \t") {
		return fmt.Sprintf("%q is not one URI: a field holds one value (RFC 9116 §2)", clip(v))
	}
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Sprintf("%q is not a URI: %v", clip(v), unwrapURLError(err))
	}
	if u.Scheme == "" {
		hint := ""
		if field == "Contact" && strings.Contains(v, "@") && !strings.Contains(v, "/") {
			hint = fmt.Sprintf(": an email address is written mailto:%s", v)
		}
		return fmt.Sprintf("%q is a relative URI: the value must be an absolute URI (RFC 3986 §3)%s", clip(v), hint)
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return fmt.Sprintf("%q: a web URI must begin with https:// (RFC 9116 §2.5)", clip(v))
	case "https":
		if u.Host == "" {
			return fmt.Sprintf("%q: an https URI needs a host", clip(v))
		}
	}
	return ""
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func (c *checker) contact() {
	if len(c.f.Get("Contact")) == 0 {
		c.err(0, "Contact", "no Contact field: at least one is required (RFC 9116 §2.5.3)")
	}
}

// parseTime reads an RFC 3339 date-time, whose T and Z may be lower case.
func parseTime(v string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.ToUpper(v))
}

func (c *checker) expires() {
	ex := c.f.Get("Expires")
	switch {
	case len(ex) == 0:
		c.err(0, "Expires", "no Expires field: exactly one is required (RFC 9116 §2.5.5)")
		return
	case len(ex) > 1:
		for _, fl := range ex[1:] {
			c.err(fl.Line, "Expires", "a second Expires field (the first is on line %d): it must appear exactly once", ex[0].Line)
		}
	}
	fl := ex[0]
	t, err := parseTime(fl.Value)
	if err != nil {
		c.err(fl.Line, "Expires", "%q is not an RFC 3339 date-time such as 2027-01-31T23:59:59Z", clip(fl.Value))
		return
	}
	c.res.Expires = t
	now := c.o.Now
	switch {
	case !t.After(now):
		c.err(fl.Line, "Expires", "expired on %s: the file is stale and must not be used (RFC 9116 §2.5.5)", t.UTC().Format(time.RFC3339))
	case t.After(now.AddDate(1, 0, 0)):
		c.err(fl.Line, "Expires", "%s is more than a year ahead: Expires must be less than a year into the future", t.UTC().Format(time.RFC3339))
	case t.Before(now.AddDate(0, 0, 14)):
		c.warn(fl.Line, "Expires", "expires on %s, in less than two weeks", t.UTC().Format(time.RFC3339))
	}
}

func (c *checker) languages() {
	pl := c.f.Get("Preferred-Languages")
	for _, fl := range pl[min(len(pl), 1):] {
		c.err(fl.Line, "Preferred-Languages", "a second Preferred-Languages field (the first is on line %d): it must not appear more than once", pl[0].Line)
	}
	for _, fl := range pl {
		for tag := range strings.SplitSeq(fl.Value, ",") {
			tag = strings.Trim(tag, " \t")
			if !model.ValidLanguageTag(tag) {
				c.err(fl.Line, "Preferred-Languages", "%q is not a language tag (RFC 5646, such as en or pt-BR)", clip(tag))
			}
		}
	}
}

func (c *checker) canonical() {
	can := c.f.Get("Canonical")
	if c.o.URL == "" || len(can) == 0 {
		return
	}
	for _, fl := range can {
		if fl.Value == c.o.URL {
			return
		}
	}
	c.err(can[0].Line, "Canonical", "the file was fetched from %s, which no Canonical field lists: its contents should not be trusted there (RFC 9116 §2.5.2)", c.o.URL)
}

// csaf checks CSAF 2.0's field (§7.1.8): it points to a provider-metadata.json.
func (c *checker) csaf() {
	for _, fl := range c.f.Get("CSAF") {
		if u, err := url.Parse(fl.Value); err == nil && u.Scheme != "" && !strings.HasSuffix(u.Path, "/provider-metadata.json") {
			c.warn(fl.Line, "CSAF", "%q: CSAF 2.0 §7.1.8 asks for the URL of a provider-metadata.json", clip(fl.Value))
		}
	}
}
