package ecosystem

import (
	"strings"
	"testing"
)

func TestNormalizeNamePEP503(t *testing.T) {
	// PEP 503: re.sub(r"[-_.]+", "-", name).lower().
	for _, in := range []string{
		"friendly-bard", "Friendly-Bard", "FRIENDLY-BARD", "friendly.bard",
		"friendly_bard", "friendly--bard", "FrIeNdLy-._.-bArD", " friendly_bard ",
	} {
		if got := NormalizeName("PyPI", in); got != "friendly-bard" {
			t.Errorf("NormalizeName(PyPI, %q) = %q, want friendly-bard", in, got)
		}
	}
	tests := map[string]string{
		"Django_package": "django-package", "jw.util": "jw-util", "zope.interface": "zope-interface",
		"Pillow": "pillow", "ruamel.yaml.clib": "ruamel-yaml-clib", "a": "a", "A1_b2": "a1-b2",
		"_leading": "-leading", "trailing.": "trailing-", "": "",
	}
	for in, want := range tests {
		if got := NormalizeName("PyPI", in); got != want {
			t.Errorf("NormalizeName(PyPI, %q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"npm", "@Angular/Core", "@angular/core"},
		{"Maven", "org.Apache:Commons", "org.apache:commons"},
		{"Debian:12", "LibSSL3", "libssl3"},
		// Folded: packageurl-go lower-cases golang purls, so both sides must be.
		{"Go", "github.com/BurntSushi/toml", "github.com/burntsushi/toml"},
		{"RubyGems", "Rails", "Rails"},
		{"crates.io", "Serde_JSON", "serde_json"},
		{"Packagist", "Laravel/Laravel", "laravel/laravel"},
		{"Unknown", " Name ", "Name"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.eco, tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"PyPI", "PyPI", true},
		{"pypi", "PyPI", true},
		{"CRATES.IO", "crates.io", true},
		{" Go ", "Go", true},
		{"debian:12", "Debian:12", true},
		{"ALPINE:v3.20", "Alpine:v3.20", true},
		{"ubuntu:22.04:LTS", "Ubuntu:22.04:LTS", true},
		{"red hat:enterprise_linux:8", "Red Hat:enterprise_linux:8", true},
		{"github actions", "GitHub Actions", true},
		{"Debian:", "Debian", true},
		{"NotAnEcosystem", "NotAnEcosystem", false},
		{"Fedora:39", "Fedora:39", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := Canonical(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Canonical(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, k := range Known {
		for _, in := range []string{k, strings.ToLower(k), strings.ToUpper(k)} {
			if got, ok := Canonical(in); got != k || !ok {
				t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, k)
			}
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct{ in, base, release string }{
		{"PyPI", "PyPI", ""},
		{"Debian:12", "Debian", "12"},
		{"Alpine:v3.20", "Alpine", "v3.20"},
		{"Ubuntu:22.04:LTS", "Ubuntu", "22.04:LTS"},
		{"Ubuntu:Pro:18.04:LTS", "Ubuntu", "Pro:18.04:LTS"},
		{":x", "", "x"},
		{"", "", ""},
	}
	for _, tt := range tests {
		base, release := Split(tt.in)
		if base != tt.base || release != tt.release {
			t.Errorf("Split(%q) = %q, %q; want %q, %q", tt.in, base, release, tt.base, tt.release)
		}
	}
}

func TestFromPURL(t *testing.T) {
	tests := []struct{ purl, eco, name, version string }{
		{"pkg:golang/github.com/gorilla/mux@v1.8.0", "Go", "github.com/gorilla/mux", "v1.8.0"},
		{"pkg:golang/std@go1.21.3", "Go", "stdlib", "go1.21.3"},
		// The subpath is part of the module path (syft 1.20 writes paths of
		// more than three segments so); its case is kept like the rest.
		{"pkg:golang/github.com/jackc/pgx@v5.3.1#v5", "Go", "github.com/jackc/pgx/v5", "v5.3.1"},
		{"pkg:golang/github.com/moby/moby@v28.0.1#api", "Go", "github.com/moby/moby/api", "v28.0.1"},
		{"pkg:golang/github.com/Azure/azure-sdk-for-go@v1.2.0#sdk/AzCore/", "Go", "github.com/Azure/azure-sdk-for-go/sdk/AzCore", "v1.2.0"},
		{"pkg:golang/example.com/a%2Fb@v1.0.0#/sub/x%41/", "Go", "example.com/a/b/sub/xA", "v1.0.0"},
		{"pkg:golang/github.com/BurntSushi/toml@v1.3.2", "Go", "github.com/BurntSushi/toml", "v1.3.2"}, // case kept for display; keys fold it,
		{"pkg:npm/%40babel/core@7.0.0", "npm", "@babel/core", "7.0.0"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"},
		{"pkg:pypi/Django_package@1.11.1", "PyPI", "django-package", "1.11.1"}, // packageurl-go applies the pypi rule
		{"pkg:composer/laravel/framework@10.0.0", "Packagist", "laravel/framework", "10.0.0"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=debian-12.5", "Debian:12", "curl", "7.88.1-10"},
		{"pkg:deb/debian/curl@7.50.3-1?distro=jessie", "Debian:8", "curl", "7.50.3-1"},
		{"pkg:deb/debian/curl@7.50.3-1", "Debian", "curl", "7.50.3-1"},
		{"pkg:deb/ubuntu/dpkg@1.19.0.4?distro=ubuntu-22.04", "Ubuntu:22.04", "dpkg", "1.19.0.4"},
		{"pkg:apk/alpine/curl@7.83.0-r0?distro=3.20.1", "Alpine:v3.20", "curl", "7.83.0-r0"},
		{"pkg:apk/alpine/curl@7.83.0-r0?distro=alpine-v3.18", "Alpine:v3.18", "curl", "7.83.0-r0"},
		{"pkg:apk/wolfi/curl@8.0-r0", "Wolfi", "curl", "8.0-r0"},
		{"pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?epoch=1", "Red Hat", "openssl", "1.1.1k-7.el8_6"},
		{"pkg:rpm/rocky-linux/openssl@3.0.7-1.el9", "Rocky Linux", "openssl", "3.0.7-1.el9"},
	}
	for _, tt := range tests {
		got, err := FromPURL(tt.purl)
		if err != nil {
			t.Errorf("FromPURL(%q): %v", tt.purl, err)
			continue
		}
		if got != (Package{Ecosystem: tt.eco, Name: tt.name, Version: tt.version}) {
			t.Errorf("FromPURL(%q) = %+v, want %s %s %s", tt.purl, got, tt.eco, tt.name, tt.version)
		}
	}
	for _, bad := range []string{
		"", "npm/foo@1", "pkg:", "pkg:npm", "pkg:deb/kali/curl@1", "pkg:apk/postmarketos/x@1",
		"pkg:rpm/fedora/curl@1", "pkg:generic/openssl@3", "pkg:github/actions/checkout@v4",
	} {
		if got, err := FromPURL(bad); err == nil {
			t.Errorf("FromPURL(%q) = %+v, want an error", bad, got)
		} else if !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("FromPURL(%q) error %q does not name the input", bad, err)
		}
	}
}
