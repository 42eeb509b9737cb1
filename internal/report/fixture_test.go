package report

import (
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func testOptions() Options {
	return Options{ToolName: "vulndesk", ToolVersion: "1.2.3", Now: fixedNow, Gate: model.Gate{Threshold: model.RatingHigh}}
}

func day0(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixture is a small, hand-built scan result: findings of every kind the
// reports must handle (several ratings and ecosystems, one advisory hitting
// two components, aliases, no fix, an ignored finding), unmatched
// components with two reasons, a component not checked (no advisories of
// its ecosystem), file entries left out, an expired ignore entry and a note.
func fixture() *model.Result {
	app, base := "sboms/app.cdx.json", "sboms/base.spdx.json"
	xnet := model.Component{Ref: "pkg:golang/golang.org/x/net@v0.1.0", Name: "golang.org/x/net", Version: "v0.1.0",
		PURL: "pkg:golang/golang.org/x/net@v0.1.0", Ecosystem: "Go", Package: "golang.org/x/net",
		Scope: model.ScopeDirect, Source: app, Licenses: []string{"BSD-3-Clause"},
		Hashes: []model.Hash{{Algorithm: "SHA-256", Value: "abc123"}}}
	lodashApp := model.Component{Ref: "lodash-1", Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15",
		Ecosystem: "npm", Package: "lodash", Scope: model.ScopeTransitive, Source: app}
	lodashBase := model.Component{Ref: "SPDXRef-Package-lodash", Name: "lodash", Version: "4.17.11", PURL: "pkg:npm/lodash@4.17.11",
		Ecosystem: "npm", Package: "lodash", Source: base}
	legacy := model.Component{Ref: "legacy", Name: "legacy", Version: "1.0", PURL: "pkg:maven/org.example/legacy@1.0",
		Ecosystem: "Maven", Package: "org.example:legacy", Source: app, CPEs: []string{"cpe:2.3:a:example:legacy:1.0:*:*:*:*:*:*:*"}}
	tool := model.Component{Ref: "SPDXRef-Package-sometool", Name: "sometool", Version: "0.9", PURL: "pkg:pypi/sometool@0.9",
		Ecosystem: "PyPI", Package: "sometool", Source: base}
	openssl := model.Component{Ref: "SPDXRef-Package-openssl", Name: "openssl", Version: "3.0.11-1~deb12u1",
		PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", Ecosystem: "Debian:12",
		Package: "openssl", Source: base}
	noPurl1 := model.Component{Ref: "internal-lib", Name: "internal-lib", Version: "2.0", Source: app, Unmatchable: "no purl"}
	noPurl2 := model.Component{Ref: "SPDXRef-File-blob", Name: "blob.bin", Source: base, Unmatchable: "no purl"}
	laravel := model.Component{Ref: "SPDXRef-Package-laravel", Name: "laravel/framework", Version: "10.0.0",
		PURL: "pkg:composer/laravel/framework@10.0.0", Ecosystem: "Packagist", Package: "laravel/framework", Source: base}
	generic := model.Component{Ref: "SPDXRef-Package-thing", Name: "thing", Version: "1.0", PURL: "pkg:generic/thing@1.0",
		Source: base, Unmatchable: "unknown ecosystem \"generic\""}

	// The Go advisory states no severity: NVD's analysis of its CVE alias
	// rates it, and the CNA's differing rating is kept as a conflict.
	cvss31 := model.Severity{Rating: model.RatingCritical, Score: 9.8, Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Version: "3.1", From: model.SeverityFromNVD, Record: "CVE-2022-27664", Source: "nvd@nist.gov", SourceType: "Primary"}
	cna := model.Severity{Rating: model.RatingHigh, Score: 7.5, Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
		Version: "3.1", From: model.SeverityFromNVD, Record: "CVE-2022-27664", Source: "security@golang.org", SourceType: "Secondary"}
	lodashSev := model.Severity{Rating: model.RatingHigh, Score: 7.4, Type: "CVSS_V3", Vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H",
		Version: "3.0", From: model.SeverityFromAdvisory, Record: "GHSA-p6mc-m468-83gh"}
	legacySev := model.Severity{Rating: model.RatingMedium, Score: 6.9, Type: "CVSS_V4",
		Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"}
	sslSev := model.Severity{Rating: model.RatingLow, Type: "ecosystem"}

	lodashEv := func(v string) []model.Evidence {
		return []model.Evidence{{Advisory: "GHSA-p6mc-m468-83gh", Ecosystem: "npm", Package: "lodash", RangeType: "SEMVER",
			Introduced: "0", Fixed: "4.17.19", Reason: v + " >= introduced 0 and < fixed 4.17.19"}}
	}
	findings := []model.Finding{
		{Component: &xnet, ID: "GO-2022-0969", Aliases: []string{"CVE-2022-27664", "GHSA-69cg-p879-7622"},
			Summary: "HTTP/2 server connections can hang forever waiting for a clean shutdown", Severity: cvss31,
			Conflicts: []model.Severity{cna},
			Evidence: []model.Evidence{{Advisory: "GO-2022-0969", Ecosystem: "Go", Package: "golang.org/x/net", RangeType: "SEMVER",
				Introduced: "0", Fixed: "0.0.0-20220906165146-f3363e06e74c", Reason: "0.1.0 >= introduced 0 and < fixed 0.0.0-20220906165146-f3363e06e74c"}},
			FixedVersions: []string{"0.0.0-20220906165146-f3363e06e74c"}, Fix: "0.0.0-20220906165146-f3363e06e74c"},
		{Component: &lodashApp, ID: "GHSA-p6mc-m468-83gh", Aliases: []string{"CVE-2020-8203"},
			Summary: "Prototype Pollution in lodash", Severity: lodashSev, Evidence: lodashEv("4.17.15"),
			FixedVersions: []string{"4.17.19"}, Fix: "4.17.19"},
		{Component: &lodashBase, ID: "GHSA-p6mc-m468-83gh", Aliases: []string{"CVE-2020-8203"},
			Summary: "Prototype Pollution in lodash", Severity: lodashSev, Evidence: lodashEv("4.17.11"),
			FixedVersions: []string{"4.17.19"}, Fix: "4.17.19"},
		{Component: &legacy, ID: "GHSA-xxxx-yyyy-zzzz", Summary: "Legacy <script> injection & more", Severity: legacySev,
			Evidence: []model.Evidence{{Advisory: "GHSA-xxxx-yyyy-zzzz", Ecosystem: "Maven", Package: "org.example:legacy",
				RangeType: "ECOSYSTEM", Introduced: "0", Reason: "1.0 >= introduced 0 (no fix)"}}},
		{Component: &tool, ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1111"}, Summary: "sometool leaks tokens",
			Severity: model.Severity{Rating: model.RatingUnknown},
			Evidence: []model.Evidence{{Advisory: "PYSEC-2024-1", Ecosystem: "PyPI", Package: "sometool", RangeType: "VERSIONS",
				Reason: "0.9 is listed in the affected versions"}},
			FixedVersions: []string{"1.0"}, Fix: "1.0"},
		{Component: &openssl, ID: "DSA-5532-1", Aliases: []string{"CVE-2023-5363", "CVE-2023-5678"},
			Summary: "openssl security update", Severity: sslSev,
			Evidence: []model.Evidence{{Advisory: "DSA-5532-1", Ecosystem: "Debian:12", Package: "openssl", RangeType: "ECOSYSTEM",
				Introduced: "0", Fixed: "3.0.11-1~deb12u2", Reason: "3.0.11-1~deb12u1 >= introduced 0 and < fixed 3.0.11-1~deb12u2"}},
			FixedVersions: []string{"3.0.11-1~deb12u2"}, Fix: "3.0.11-1~deb12u2",
			Suppressed: &model.Suppression{Reason: "DH parameters are never read from untrusted input", Until: day0(2026, 12, 31)}},
	}
	adv := map[string]model.AdvisoryInfo{}
	for _, f := range findings {
		adv[f.ID] = model.AdvisoryInfo{ID: f.ID, Aliases: f.Aliases, Summary: f.Summary,
			Details: "Details of " + f.ID + ".\n\nSee the references.", Published: day0(2022, 9, 6), Modified: day0(2024, 1, 2),
			References: []string{"https://example.com/advisories/" + f.ID, "https://example.com/fix?id=" + f.ID + "&x=1"},
			Severity:   f.Severity}
		if f.Severity.Vector != "" {
			a := adv[f.ID]
			a.CVSS = []model.Severity{f.Severity}
			adv[f.ID] = a
		}
	}
	x := adv["GO-2022-0969"]
	x.Severity, x.CVSS = model.Severity{Rating: model.RatingUnknown}, []model.Severity{cvss31, cna}
	adv["GO-2022-0969"] = x
	return &model.Result{
		SBOMs: []model.SBOM{
			{Path: app, Format: "CycloneDX 1.5 JSON", Subject: "example/app", Components: []model.Component{xnet, lodashApp, legacy, noPurl1},
				FilesLeftOut: 2},
			{Path: base, Format: "SPDX 2.3 JSON", Components: []model.Component{lodashBase, tool, openssl, noPurl2, generic, laravel}},
		},
		Findings:       findings,
		Unmatched:      []model.Component{noPurl1, noPurl2, generic},
		Unchecked:      []model.Unchecked{{Ecosystem: "Packagist", Components: 1}},
		Advisories:     adv,
		ExpiredIgnores: []model.ExpiredIgnore{{ID: "CVE-2021-44228", Reason: "not using JNDI lookups", Until: day0(2026, 1, 31)}},
		Notes:          []string{`ecosystem "Debian:12": versions compared with dpkg ordering`},
	}
}

// bigResult is a result with n findings spread over n/5 components, for
// benchmarks.
func bigResult(n int) *model.Result {
	base := fixture()
	res := &model.Result{Advisories: base.Advisories, SBOMs: base.SBOMs}
	for i := 0; i < n; i++ {
		f := base.Findings[i%len(base.Findings)]
		c := i / 5
		f.Component.Name = fmt.Sprintf("pkg-%d", c)
		f.Component.Package = f.Component.Name
		f.Component.PURL = fmt.Sprintf("pkg:npm/pkg-%d@1.%d.0", c, i%7)
		f.Component.Ref = f.Component.PURL
		res.Findings = append(res.Findings, f)
	}
	return res
}
