package csaf

import (
	"bytes"
	"time"
)

// ProviderMetadata is a trusted provider's provider-metadata.json.
type ProviderMetadata struct {
	CanonicalURL       string         `json:"canonical_url"`
	Distributions      []Distribution `json:"distributions"`
	LastUpdated        string         `json:"last_updated"`
	ListOnAggregators  bool           `json:"list_on_CSAF_aggregators"`
	MetadataVersion    string         `json:"metadata_version"`
	MirrorOnAggregator bool           `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys  []PGPKey       `json:"public_openpgp_keys"`
	Publisher          Publisher      `json:"publisher"`
	Role               string         `json:"role"`
}

// Distribution is a directory-based distribution.
type Distribution struct {
	DirectoryURL string `json:"directory_url"`
}

// PGPKey names a public key and where it is served.
type PGPKey struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

// Publisher is the provider's publisher.
type Publisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// WellKnown is where the provider's files are served.
const WellKnown = "/.well-known/csaf"

// Provider writes provider-metadata.json for a trusted provider at base
// (scheme and host, no trailing slash) with one TLP:WHITE directory
// distribution and the signing key.
func Provider(base, publisher, fingerprint string, lastUpdated time.Time) ([]byte, error) {
	return encode(ProviderMetadata{
		CanonicalURL:       base + WellKnown + "/provider-metadata.json",
		Distributions:      []Distribution{{DirectoryURL: base + WellKnown + "/white/"}},
		LastUpdated:        stamp(lastUpdated),
		ListOnAggregators:  true,
		MetadataVersion:    "2.0",
		MirrorOnAggregator: true,
		PublicOpenPGPKeys:  []PGPKey{{Fingerprint: fingerprint, URL: base + WellKnown + "/openpgp/" + fingerprint + ".asc"}},
		Publisher:          Publisher{Category: "vendor", Name: publisher, Namespace: base},
		Role:               "csaf_trusted_provider",
	})
}

// Entry is a published document of the white directory: its path below
// it (<YYYY>/<file>.json) and when it last changed.
type Entry struct {
	Path    string
	Updated time.Time
}

// Index writes index.txt: one path a line.
func Index(entries []Entry) []byte {
	var buf bytes.Buffer
	for _, e := range entries {
		buf.WriteString(e.Path)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// Changes writes changes.csv (CSAF 2.0 §7.1.13): each path and its
// current release date, quoted; entries must come newest first.
func Changes(entries []Entry) []byte {
	var buf bytes.Buffer
	for _, e := range entries {
		buf.WriteString(`"` + e.Path + `","` + stamp(e.Updated) + `"` + "\n")
	}
	return buf.Bytes()
}
