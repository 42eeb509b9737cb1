package sbom

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"bomFormat": "CycloneDX", "components": [`)
	for range maxNesting + 1 {
		b.WriteString(`{"name": "x", "components": [`)
	}
	for range maxNesting + 1 {
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	_, err := Parse("deep.json", []byte(b.String()), Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "nested more than 64 deep") {
		t.Errorf("deep JSON nesting: %v", err)
	}

	b.Reset()
	b.WriteString(`<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>`)
	for range maxNesting + 1 {
		b.WriteString(`<component type="library"><name>x</name><components>`)
	}
	for range maxNesting + 1 {
		b.WriteString(`</components></component>`)
	}
	b.WriteString(`</components></bom>`)
	_, err = Parse("deep.xml", []byte(b.String()), Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "nested more than 64 deep") {
		t.Errorf("deep XML nesting: %v", err)
	}

	many := `{"bomFormat": "CycloneDX", "components": [` + strings.Repeat(`{},`, maxComponents) + `{}]}`
	start := time.Now()
	_, err = Parse("many.json", []byte(many), Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 1000000 components") {
		t.Errorf("too many components: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusing too many components took %v: the count must come before decoding", d)
	}
}

// TestHostileInputs checks that inputs built to make parsing slow (or
// deep) are handled in bounded time with a sentinel error or a result.
func TestHostileInputs(t *testing.T) {
	licenses := make([]string, 100_000)
	for i := range licenses {
		licenses[i] = `{"expression": "LicenseRef-` + strings.Repeat("x", i%13) + string(rune('a'+i%26)) + `"}`
	}
	var tagValue strings.Builder
	tagValue.WriteString("SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\n")
	for i := range 20_000 {
		tagValue.WriteString("PackageName: p\nSPDXID: SPDXRef-p" + strings.Repeat("x", i%5) + "\nPackageVersion: 1\n")
	}
	tagValue.WriteString("PackageName: last\nSPDXID: bad\n")
	tests := []struct {
		name string
		data string
		kind error // nil: parses
	}{
		{"null relationships", `{"spdxVersion": "SPDX-2.3", "relationships": [` + strings.Repeat("null,", 1_000_000) + `null]}`, ErrInvalid},
		{"100k licenses", `{"bomFormat": "CycloneDX", "components": [{"name": "a", "licenses": [` + strings.Join(licenses, ",") + `]}]}`, nil},
		{"deep JSON", `{"bomFormat": "CycloneDX", "metadata": ` + strings.Repeat(`[`, 1_000_000), ErrInvalid},
		{"deep XML", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5">` + strings.Repeat(`<a>`, 200_000), ErrInvalid},
		{"many components words", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><!--` + strings.Repeat("component ", 1_100_000) + `--></bom>`, nil},
		{"tag-value error at the end", tagValue.String(), ErrInvalid},
		{"keys everywhere", strings.Repeat("xSPDXVersion:", 1_000_000), ErrUnknownFormat},
		{"unclosed string", `{"bomFormat": "CycloneDX", "x": "` + strings.Repeat(`\"`, 1_000_000), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("hostile", []byte(tt.data), Options{})
			// Each takes well under a second; a quadratic path would
			// take minutes. The bound leaves room for -race.
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			if tt.kind == nil {
				if err != nil {
					t.Errorf("Parse = %v, want no error", err)
				}
				return
			}
			checkSentinel(t, err)
			if !errors.Is(err, tt.kind) {
				t.Errorf("Parse = %v, want %v", err, tt.kind)
			}
		})
	}
}
