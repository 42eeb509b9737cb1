package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	ov "github.com/openvex/go-vex/pkg/vex"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// vexAdvisory is an OSV advisory the VEX tests seed: its ID and aliases
// (the VEX documents name some by ID, some by an alias), one package and
// the range it affects.
type vexAdvisory struct {
	id      string
	aliases []string
	eco     string
	pkg     string
	fixed   string
}

// vexAdvisories are advisories of vulnerabilities the shared VEX documents
// name, in the packages they name; test IDs where the document names the
// vulnerability by its CVE, so that it is matched by an alias.
var vexAdvisories = []vexAdvisory{
	{"TEST-LOG4SHELL", []string{"CVE-2021-44228"}, "Maven", "org.apache.logging.log4j:log4j-core", "2.15.0"},
	{"TEST-JACKSON-25649", []string{"CVE-2020-25649"}, "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.10.5.1"},
	{"TEST-JACKSON-14195", []string{"CVE-2020-14195"}, "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.10.5"},
	{"TEST-JACKSON-35491", []string{"CVE-2020-35491"}, "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.10.5.1"},
	{"GHSA-r53h-jv2g-vpx6", []string{"CVE-2024-26147"}, "Go", "helm.sh/helm/v3", "3.14.2"},
	{"GO-2023-1765", []string{"CVE-2023-1732", "GHSA-2q89-485c-9j2x"}, "Go", "github.com/cloudflare/circl", "1.3.3"},
}

// vexInventory are the assets the shared VEX documents name, with the
// packages (purls) of their SBOMs.
var vexInventory = map[string][]string{
	"ABC":          {"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
	"GHI":          {"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.0"}, // a version the advisory does not affect
	"Acme Product": {"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"},
	"trivy-build": {"pkg:golang/github.com/aquasecurity/trivy@v0.53.0", "pkg:golang/helm.sh/helm/v3@v3.14.0",
		"pkg:golang/github.com/cloudflare/circl@v1.3.2", "pkg:golang/github.com/docker/docker@v25.0.0"},
}

func writeVEXAdvisories(t *testing.T, dir string) {
	t.Helper()
	for _, a := range vexAdvisories {
		aliases := `"` + strings.Join(a.aliases, `", "`) + `"`
		kind := "ECOSYSTEM"
		if a.eco == "Go" {
			kind = "SEMVER"
		}
		doc := fmt.Sprintf(`{"schema_version": "1.6.0", "id": %q, "modified": "2026-01-01T00:00:00Z", "aliases": [%s],
			"summary": "%s flaw", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
			"affected": [{"package": {"ecosystem": %q, "name": %q},
				"ranges": [{"type": %q, "events": [{"introduced": "0"}, {"fixed": %q}]}]}]}`, a.id, aliases, a.pkg, a.eco, a.pkg, kind, a.fixed)
		if err := os.WriteFile(filepath.Join(dir, a.id+".json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// cdxSBOM is a CycloneDX SBOM of the purls.
func cdxSBOM(name string, purls []string) []byte {
	var comps []string
	for _, p := range purls {
		n, v, _ := strings.Cut(strings.TrimPrefix(p[strings.LastIndex(p, "/")+1:], ""), "@")
		comps = append(comps, fmt.Sprintf(`{"type": "library", "name": %q, "version": %q, "purl": %q}`, n, v, p))
	}
	return []byte(fmt.Sprintf(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"component": {"type": "application", "name": %q}},
		"components": [%s]}`, name, strings.Join(comps, ",")))
}

// vexServer starts a server holding vexInventory, matched against
// vexAdvisories.
func vexServer(t *testing.T, e storetest.Engine) *inproc {
	t.Helper()
	dir := t.TempDir()
	writeVEXAdvisories(t, dir)
	p := startInproc(t, e, inprocOptions{jobs: true, feedDirs: []string{dir}})
	ctx := servertest.Ctx(t)
	c := p.admin.API()
	feed := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("vex-osv"), Kind: ptr(model.FeedOSV), URL: ptr(dir)}))(t)
	waitJob(t, p.admin, model.JobSyncFeed, feedJob(t, p.admin, feed.ID))
	for _, name := range slices.Sorted(mapKeys(vexInventory)) {
		must(c.CreateAsset(ctx, api.AssetInput{Name: ptr(name)}))(t)
		r := must(c.UploadByName(ctx, name, cdxSBOM(name, vexInventory[name]), client.UploadOptions{}))(t)
		waitMatched(t, p.admin, r.Snapshot.ID)
	}
	return p
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// vexStates maps "asset vuln package" to "state/justification" for every
// finding of the server.
func vexStates(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range must(c.AllFindings(servertest.Ctx(t), client.FindingFilter{}))(t) {
		j := ""
		if f.Decision != nil {
			j = f.Decision.Justification
		}
		if f.State == model.StateNotAffected && j == "" {
			full := must(c.Finding(servertest.Ctx(t), f.ID))(t)
			j = full.Decision.Justification
		}
		out[f.AssetName+" "+f.VulnID+" "+f.Package] = f.State + "/" + j
	}
	return out
}

func importShared(t *testing.T, c *client.Client, rel string) model.VEXImport {
	t.Helper()
	data, err := os.ReadFile(servertest.Shared(t, "vex/"+rel))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.ImportVEX(servertest.Ctx(t), data)
	if err != nil {
		t.Fatalf("importing %s: %v", rel, err)
	}
	return res
}

// TestVEXSharedDocuments applies real VEX documents (OpenVEX by Trivy and
// go-vex, CycloneDX's VEX examples) to a server holding the inventory
// they name, on both engines: the decisions they carry are applied to the
// findings, statements that match nothing are listed with the reason, a
// re-import changes nothing, a person's later decision stays, and a
// finding detected later takes the decision.
func TestVEXSharedDocuments(t *testing.T) {
	servertest.Shared(t, "vex")
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := vexServer(t, e)
			c := p.admin.API()
			analystClient := p.client(t, "analyst")
			analyst := analystClient.API()

			trivy := importShared(t, analyst, "trivy/trivy.openvex.json")
			if trivy.Format != "openvex" || trivy.Author != "Aqua Security" || trivy.Statements != 21 || trivy.Applied != 2 || trivy.Findings != 2 {
				t.Errorf("trivy: %+v", trivy)
			}
			if len(trivy.Unmatched) != 19 {
				t.Errorf("trivy: %d unmatched statements; want 19: %+v", len(trivy.Unmatched), trivy.Unmatched)
			}
			for _, u := range trivy.Unmatched {
				if !strings.HasPrefix(u.Reason, "no such vulnerability on it: trivy-build") && !strings.HasPrefix(u.Reason, "unknown product") {
					t.Errorf("trivy statement %d (%s): reason %q", u.Statement, u.Vulnerability, u.Reason)
				}
			}
			// The document is kept, byte for byte, under its SHA-256.
			_, keptDoc, err := p.Store.Document(servertest.Ctx(t), trivy.SHA256)
			if err != nil || !trivy.DocumentKept {
				t.Fatalf("the trivy document kept %v: %v", trivy.DocumentKept, err)
			}
			raw := must(io.ReadAll(keptDoc))(t)
			if want := must(os.ReadFile(servertest.Shared(t, "vex/trivy/trivy.openvex.json")))(t); !bytes.Equal(raw, want) {
				t.Errorf("the kept document differs from the one sent (%d bytes, %d sent)", len(raw), len(want))
			}
			// circl is in the inventory, GO-2024-2453 (statement 3) not among its findings.
			if i := slices.IndexFunc(trivy.Unmatched, func(u model.VEXUnmatched) bool { return u.Statement == 3 }); i < 0 ||
				!strings.Contains(trivy.Unmatched[i].Reason, "no such vulnerability") || !strings.Contains(trivy.Unmatched[i].Product, "circl") {
				t.Errorf("statement 3 of trivy's document: %+v", trivy.Unmatched)
			}

			abc := importShared(t, analyst, "cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json")
			acme := importShared(t, analyst, "cyclonedx-bom-examples/VEX/Use-Cases/Case-12/vex.json")
			def := importShared(t, analyst, "cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-affected.json")
			alpine := importShared(t, analyst, "openvex-go-vex-testdata/vex/v0.2.0.json")
			all := importShared(t, analyst, "cyclonedx-bom-examples/VEX/Use-Cases/Case-7/vex.json")
			bomLink := importShared(t, analyst, "cyclonedx-bom-examples/VEX/vex.json")
			if abc.Applied != 1 || acme.Applied != 3 || len(acme.Unmatched) != 0 {
				t.Errorf("ABC %+v; Acme %+v", abc, acme)
			}
			for name, r := range map[string]model.VEXImport{"DEF": def, "alpine": alpine} {
				if r.Applied != 0 || len(r.Unmatched) != r.Statements || !strings.HasPrefix(r.Unmatched[0].Reason, "unknown product") {
					t.Errorf("%s: %+v", name, r)
				}
			}
			if all.Applied != 0 || len(all.Unmatched) != 1 || !strings.Contains(all.Unmatched[0].Reason, "names no product") {
				t.Errorf("a statement for all products: %+v", all)
			}
			// A BOM-Link whose fragment is a purl: the package in any asset's inventory.
			if bomLink.Applied != 1 || len(bomLink.Unmatched) != 0 {
				t.Errorf("BOM-Link: %+v", bomLink)
			}

			// A BOM-Link to a product of another BOM (urn:cdx:serial/version#bom-ref):
			// an asset named by the bom-ref.
			must(c.CreateAsset(servertest.Ctx(t), api.AssetInput{Name: ptr("acme-product-1")}))(t)
			up := must(c.UploadByName(servertest.Ctx(t), "acme-product-1", cdxSBOM("acme-product-1", vexInventory["Acme Product"]), client.UploadOptions{}))(t)
			waitMatched(t, p.admin, up.Snapshot.ID)
			family := importShared(t, analyst, "cyclonedx-bom-examples/VEX/Use-Cases/Case-6/vex.json")
			if family.Applied != 1 || family.Findings != 1 || len(family.Unmatched) != 2 || !strings.Contains(family.Unmatched[0].Reason, `no asset named "acme-product-2"`) {
				t.Errorf("BOM-Links to three products: %+v", family)
			}

			want := map[string]string{
				"ABC TEST-LOG4SHELL org.apache.logging.log4j:log4j-core":                        "not_affected/vulnerable_code_not_present",
				"Acme Product TEST-JACKSON-25649 com.fasterxml.jackson.core:jackson-databind":   "not_affected/vulnerable_code_not_in_execute_path",
				"Acme Product TEST-JACKSON-14195 com.fasterxml.jackson.core:jackson-databind":   "not_affected/inline_mitigations_already_exist",
				"Acme Product TEST-JACKSON-35491 com.fasterxml.jackson.core:jackson-databind":   "affected/",
				"trivy-build GHSA-r53h-jv2g-vpx6 helm.sh/helm/v3":                               "not_affected/vulnerable_code_not_in_execute_path",
				"acme-product-1 TEST-JACKSON-25649 com.fasterxml.jackson.core:jackson-databind": "not_affected/vulnerable_code_not_in_execute_path",
				"acme-product-1 TEST-JACKSON-14195 com.fasterxml.jackson.core:jackson-databind": "new/",
				"trivy-build GO-2023-1765 github.com/cloudflare/circl":                          "not_affected/vulnerable_code_not_present",
			}
			got := vexStates(t, c)
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: %q; want %q (all: %v)", k, got[k], w, got)
				}
			}

			// The decision's history names the document; its clock stopped.
			fs := must(c.AllFindings(servertest.Ctx(t), client.FindingFilter{Asset: "trivy-build"}))(t)
			helm := fs[slices.IndexFunc(fs, func(f model.AssetFinding) bool { return f.VulnID == "GHSA-r53h-jv2g-vpx6" })]
			h := must(c.History(servertest.Ctx(t), helm.ID))(t)
			if last := h[len(h)-1]; last.To != model.StateNotAffected || last.Actor != "token:test-analyst" ||
				!strings.Contains(last.Reason, "VEX openvex statement 0") || !strings.Contains(last.Reason, "Govulncheck") {
				t.Errorf("history: %+v", last)
			}
			if f := must(c.Finding(servertest.Ctx(t), helm.ID))(t); f.SLA == nil || f.SLA.ClosedAt.IsZero() {
				t.Errorf("not_affected by VEX: the clock runs: %+v", f.SLA)
			}

			// The same document again: nothing changes.
			if again := importShared(t, analyst, "trivy/trivy.openvex.json"); again.Applied != 0 || again.Unchanged != 2 {
				t.Errorf("trivy again: %+v", again)
			}
			// A person decides after the statement: an import of the
			// (older) document keeps it.
			must(analyst.Triage(servertest.Ctx(t), helm.ID, model.TriageInput{State: model.StateAffected, Reason: "we call it after all"}))(t)
			kept := importShared(t, analyst, "trivy/trivy.openvex.json")
			if kept.Applied != 0 || len(kept.Kept) != 1 || kept.Kept[0].Asset != "trivy-build" || !strings.Contains(kept.Kept[0].Reason, "after the statement") {
				t.Errorf("after a person's decision: %+v", kept)
			}
			if f := must(c.Finding(servertest.Ctx(t), helm.ID))(t); f.State != model.StateAffected {
				t.Errorf("the person's decision was overridden: %s", f.State)
			}

			// A finding detected later (another version of log4j-core in
			// ABC) takes the decision.
			r := must(c.UploadByName(servertest.Ctx(t), "ABC", cdxSBOM("ABC", []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0"}),
				client.UploadOptions{}))(t)
			waitMatched(t, p.admin, r.Snapshot.ID)
			for _, f := range must(c.AllFindings(servertest.Ctx(t), client.FindingFilter{Asset: "ABC", Status: "open"}))(t) {
				if f.Version != "2.14.0" || f.State != model.StateNotAffected {
					t.Errorf("ABC after an upgrade: %s %s %s", f.Package, f.Version, f.State)
				}
			}

			// vulndesk push --vex, the binary against this server.
			out, err := exec.Command(servertest.Binary(t), "push", "--server", p.URL, "--token", analystClient.Token, "--vex",
				servertest.Shared(t, "vex/cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-fixed.json")).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "1 statements; 0 decisions set (0 findings), 0 unchanged, 0 kept, 1 unmatched") ||
				!strings.Contains(string(out), `unmatched: statement 0, CVE-2021-44228 in DEF@1.1: unknown product: no asset named "DEF" or "product-DEF"`) {
				t.Errorf("vulndesk push --vex: %v\n%s", err, out)
			}

			// A statement about a package of the inventory with no finding
			// of the vulnerability (GHI's log4j-core is a fixed version) is
			// a decision that a finding detected later takes.
			ghi := importShared(t, analyst, "cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-under_investigation.json")
			if ghi.Applied != 1 || ghi.Findings != 0 || len(ghi.Unmatched) != 0 {
				t.Errorf("GHI: %+v", ghi)
			}
			r = must(c.UploadByName(servertest.Ctx(t), "GHI", cdxSBOM("GHI", []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}),
				client.UploadOptions{}))(t)
			waitMatched(t, p.admin, r.Snapshot.ID)
			if fs := must(c.AllFindings(servertest.Ctx(t), client.FindingFilter{Asset: "GHI"}))(t); len(fs) != 1 || fs[0].State != model.StateUnderInvestigation {
				t.Errorf("GHI's finding detected after the statement: %+v", fs)
			}

			// A risk accepted by an approved exception: a newer statement
			// does not override it; the export says affected, naming the
			// exception.
			acmeFs := must(c.AllFindings(servertest.Ctx(t), client.FindingFilter{Asset: "Acme Product"}))(t)
			jackson := acmeFs[slices.IndexFunc(acmeFs, func(f model.AssetFinding) bool { return f.VulnID == "TEST-JACKSON-35491" })]
			x := must(analyst.RequestException(servertest.Ctx(t), model.ExceptionInput{FindingIDs: []int64{jackson.ID},
				Reason: "legacy parser", ExpiresAt: time.Now().AddDate(0, 1, 0)}))(t)
			must(c.DecideException(servertest.Ctx(t), x.ID, "approve", ""))(t)
			newer := fmt.Sprintf(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "newer", "author": "Acme", "timestamp": %q,
				"statements": [{"vulnerability": {"name": "CVE-2020-35491"}, "products": [{"@id": "Acme Product"}], "status": "fixed"}]}`,
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
			res := must(analyst.ImportVEX(servertest.Ctx(t), []byte(newer)))(t)
			if res.Applied != 0 || len(res.Kept) != 1 || !strings.Contains(res.Kept[0].Reason, fmt.Sprintf("exception %d", x.ID)) {
				t.Errorf("a statement on an accepted risk: %+v", res)
			}
			acmeVEX, err := ov.Parse(must(c.ExportVEX(servertest.Ctx(t), jackson.AssetID, "openvex"))(t))
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(acmeVEX.Statements, func(st ov.Statement) bool { return st.Vulnerability.Name == "TEST-JACKSON-35491" })
			if i < 0 || acmeVEX.Statements[i].Status != ov.StatusAffected ||
				!strings.Contains(acmeVEX.Statements[i].ActionStatement, fmt.Sprintf("Risk accepted by exception %d until", x.ID)) {
				t.Errorf("the accepted risk exported: %+v", acmeVEX.Statements)
			}

			// A document dated in the future counts as of its import: a
			// person's decision after the import stays when it comes again.
			future := fmt.Sprintf(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "future", "author": "Aqua Security", "timestamp": %q,
				"statements": [{"vulnerability": {"name": "GHSA-r53h-jv2g-vpx6"}, "status": "under_investigation",
				"products": [{"@id": "trivy-build", "subcomponents": [{"@id": "pkg:golang/helm.sh/helm/v3"}]}]}]}`,
				time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339))
			if res := must(analyst.ImportVEX(servertest.Ctx(t), []byte(future)))(t); res.Applied != 1 {
				t.Errorf("a future statement: %+v", res)
			}
			must(analyst.Triage(servertest.Ctx(t), helm.ID, model.TriageInput{State: model.StateAffected, Reason: "still called"}))(t)
			if res := must(analyst.ImportVEX(servertest.Ctx(t), []byte(future)))(t); res.Applied != 0 || len(res.Kept) != 1 {
				t.Errorf("the future statement again, after a person's decision: %+v", res)
			}

			// A malformed document is a 400 naming the problem.
			_, err = c.ImportVEX(servertest.Ctx(t), []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6"}`))
			wantClientError(t, "a BOM without vulnerabilities", err, 400, "no vulnerabilities")
		})
	}
}

// TestVEXRoundTrip: decisions on server A export as OpenVEX and CycloneDX
// VEX, which validate with go-vex and decode with cyclonedx-go; imported
// into fresh servers holding the same inventory they give the same
// decisions (OpenVEX: in_remediation reads back as affected).
func TestVEXRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := vexServer(t, e)
			ca := a.admin.API()
			ctx := servertest.Ctx(t)
			decide := map[string]model.TriageInput{
				"TEST-LOG4SHELL":      {State: model.StateNotAffected, Justification: "component_not_present", Reason: "log4j-core is shaded out"},
				"TEST-JACKSON-25649":  {State: model.StateAffected, Reason: "upgrade jackson-databind to 2.10.5.1"},
				"TEST-JACKSON-14195":  {State: model.StateFalsePositive, Reason: "not this jackson"},
				"TEST-JACKSON-35491":  {State: model.StateInRemediation, Reason: "PR 12 upgrades it"},
				"GHSA-r53h-jv2g-vpx6": {State: model.StateUnderInvestigation, Reason: "looking"},
				"GO-2023-1765":        {State: model.StateFixed, Reason: "rebuilt with circl 1.3.3"},
			}
			fs := must(ca.AllFindings(ctx, client.FindingFilter{}))(t)
			if len(fs) != len(decide) {
				t.Fatalf("%d findings on A; want %d", len(fs), len(decide))
			}
			for _, f := range fs {
				must(ca.Triage(ctx, f.ID, decide[f.VulnID]))(t)
			}
			onA := vexStates(t, ca)

			ovDoc := must(ca.ExportVEX(ctx, 0, "openvex"))(t)
			cdxDoc := must(ca.ExportVEX(ctx, 0, "cyclonedx"))(t)
			doc, err := ov.Parse(ovDoc)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Statements) != len(decide) {
				t.Errorf("OpenVEX: %d statements", len(doc.Statements))
			}
			for i := range doc.Statements {
				if err := doc.Statements[i].Validate(); err != nil {
					t.Errorf("go-vex: statement %d: %v", i, err)
				}
			}
			var bom cdx.BOM
			if err := cdx.NewBOMDecoder(bytes.NewReader(cdxDoc), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
				t.Fatal(err)
			}
			if bom.SpecVersion != cdx.SpecVersion1_6 || bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) != len(decide) {
				t.Errorf("CycloneDX: %s with %v", bom.SpecVersion, bom.Vulnerabilities)
			}
			// Per asset: only its decisions.
			one := must(ca.ExportVEX(ctx, fs[0].AssetID, ""))(t)
			od, err := ov.Parse(one)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range od.Statements {
				if st.Products[0].ID != fs[0].AssetName {
					t.Errorf("asset %s's export names product %s", fs[0].AssetName, st.Products[0].ID)
				}
			}
			_, err = ca.ExportVEX(ctx, 0, "csaf")
			wantClientError(t, "an unknown format", err, 400, "openvex or cyclonedx")

			for _, c := range []struct {
				format string
				doc    []byte
			}{{"openvex", ovDoc}, {"cyclonedx", cdxDoc}} {
				b := vexServer(t, e)
				cb := b.admin.API()
				res := must(cb.ImportVEX(ctx, c.doc))(t)
				if res.Applied != len(decide) || len(res.Unmatched) != 0 {
					t.Errorf("%s into B: %+v", c.format, res)
				}
				onB := vexStates(t, cb)
				for k, w := range onA {
					if c.format == "openvex" && w == "in_remediation/" {
						w = "affected/"
					}
					if onB[k] != w {
						t.Errorf("%s round trip: %s is %q on B; %q on A", c.format, k, onB[k], w)
					}
				}
			}
		})
	}
}

// clientVEX exports the triaged asset client-test's decisions through the
// client and imports them again: the same decisions, unchanged.
func clientVEX(ctx context.Context, t *testing.T, c *client.Client) {
	fs := must(c.AllFindings(ctx, client.FindingFilter{Asset: "client-test"}))(t)
	doc := must(c.ExportVEX(ctx, fs[0].AssetID, "openvex"))(t)
	if _, err := ov.Parse(doc); err != nil || !bytes.Contains(doc, []byte(`"client-test"`)) {
		t.Fatalf("the asset's OpenVEX: %v\n%s", err, doc)
	}
	res := must(c.ImportVEX(ctx, doc))(t)
	if res.Statements == 0 || res.Applied+res.Unchanged+len(res.Kept) == 0 || len(res.Unmatched) != 0 {
		t.Errorf("re-importing the export: %+v", res)
	}
	all := must(c.ExportVEX(ctx, 0, "cyclonedx"))(t)
	if !bytes.Contains(all, []byte(`"bomFormat": "CycloneDX"`)) {
		t.Errorf("the portfolio's CycloneDX VEX:\n%s", all)
	}
}

// TestVEXPage imports a document through the page's form: the result
// lists the statement that matched nothing, its markup shown as text; an
// auditor sees the exports but no form.
func TestVEXPage(t *testing.T) {
	t.Parallel()
	e := storetest.Engines(t)[0]
	p := startInproc(t, e, inprocOptions{jobs: true})
	doc := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "page", "author": "<b>vendor</b>", "statements": [
		{"vulnerability": {"name": "CVE-2026-1"}, "products": [{"@id": "<script>alert(1)</script>"}], "status": "fixed"}]}`
	body := walkMultipart(doc)
	ans := rawCall(t, p.URL, "POST", "/vex", strings.NewReader(body), map[string]string{"Authorization": "Bearer " + p.admin.Token,
		"Content-Type": walkMultipartType})
	page := string(ans.body)
	if ans.status != 200 || !strings.Contains(page, "Statements that matched nothing") ||
		!strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(page, "<script>alert(1)") ||
		strings.Contains(page, "<b>vendor</b>") {
		t.Errorf("POST /vex: %d\n%s", ans.status, page)
	}
	bad := rawCall(t, p.URL, "POST", "/vex", strings.NewReader(walkMultipart(`{"a": 1}`)), map[string]string{
		"Authorization": "Bearer " + p.admin.Token, "Content-Type": walkMultipartType})
	if bad.status != 400 || !strings.Contains(string(bad.body), "neither OpenVEX") {
		t.Errorf("POST /vex with no VEX document: %d\n%s", bad.status, bad.body)
	}
	auditor := p.client(t, "auditor")
	got := rawCall(t, p.URL, "GET", "/vex", nil, map[string]string{"Authorization": "Bearer " + auditor.Token})
	if got.status != 200 || strings.Contains(string(got.body), `id="vex-form"`) || !strings.Contains(string(got.body), "/api/v1/vex?format=cyclonedx") {
		t.Errorf("GET /vex as an auditor: %d\n%s", got.status, got.body)
	}
}
