package server_test

// Own security advisories (issue 14, csaf): the workflow and who may do
// what, the CSAF and OSV documents (valid against their schemas), and the
// trusted provider's files, on both engines.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/csaf/csaftest"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// secAdvInput is a complete advisory about the asset.
func secAdvInput(asset int64, title string) api.SecurityAdvisoryInput {
	products := []model.SecAdvProduct{{AssetID: asset, Affected: ">=1.0, <1.4.2", Fixed: "1.4.2"}}
	vulns := []model.SecAdvVuln{{CVE: "CVE-2026-10001", CWE: "CWE-79", CWEName: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
		Title: "Stored XSS", Description: "A review's text is shown unescaped.", CVSS: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N",
		Remediation: "Update to 1.4.2.", Acknowledgements: []string{"Jane Researcher"}}}
	summary := "A flaw in the product lets an attacker run script in an administrator's browser."
	return api.SecurityAdvisoryInput{Title: &title, Summary: &summary, Products: &products, Vulnerabilities: &vulns}
}

// clientSecAdvisories drives the workflow through the client: the
// analyst writes and submits, may not publish; the admin publishes; an
// edit after that starts revision 2.
func clientSecAdvisories(ctx context.Context, t *testing.T, admin, analyst *client.Client) {
	assets := must(admin.Assets(ctx, client.AssetQuery{}))(t).Items
	title := "Draft"
	a := must(analyst.CreateSecurityAdvisory(ctx, api.SecurityAdvisoryInput{Title: &title}))(t)
	if a.State != model.SecAdvDraft || !strings.HasSuffix(a.TrackingID, "-0001") || a.FileName != strings.ToLower(a.TrackingID)+".json" {
		t.Fatalf("a new advisory: %+v", a)
	}
	if _, err := analyst.SubmitSecurityAdvisory(ctx, a.ID); err == nil {
		t.Fatal("an incomplete draft was submitted")
	}
	a = must(analyst.UpdateSecurityAdvisory(ctx, a.ID, secAdvInput(assets[0].ID, "Stored XSS in the shop")))(t)
	if a.Products[0].Name != assets[0].Name {
		t.Errorf("the product's default name %q, want the asset's %q", a.Products[0].Name, assets[0].Name)
	}
	preview := must(admin.SecurityAdvisoryDocument(ctx, a.ID, "csaf"))(t)
	if !bytes.Contains(preview, []byte(`"status": "draft"`)) {
		t.Errorf("the preview of a draft:\n%s", preview)
	}
	a = must(analyst.SubmitSecurityAdvisory(ctx, a.ID))(t)
	_, err := analyst.PublishSecurityAdvisory(ctx, a.ID)
	wantClientError(t, "an analyst publishing", err, http.StatusForbidden, "publish")
	a = must(admin.PublishSecurityAdvisory(ctx, a.ID))(t)
	if a.State != model.SecAdvPublished || a.Version != 1 || len(a.Revisions) != 1 {
		t.Fatalf("published: %+v", a)
	}
	doc := must(admin.SecurityAdvisoryDocument(ctx, a.ID, "csaf"))(t)
	if err := csaftest.Validate(t, csaftest.CSAF, doc); err != nil {
		t.Errorf("the published CSAF document: %v", err)
	}
	osv := must(admin.SecurityAdvisoryDocument(ctx, a.ID, "osv"))(t)
	if err := csaftest.Validate(t, csaftest.OSV, osv); err != nil {
		t.Errorf("the published OSV record: %v", err)
	}
	rev := "Adds the mobile app"
	a = must(analyst.UpdateSecurityAdvisory(ctx, a.ID, api.SecurityAdvisoryInput{RevisionSummary: &rev}))(t)
	if a.State != model.SecAdvDraft || a.Version != 1 {
		t.Fatalf("an edit after publishing: %+v", a)
	}
	if again := must(admin.SecurityAdvisoryDocument(ctx, a.ID, "csaf"))(t); !bytes.Contains(again, []byte(`"status": "interim"`)) {
		t.Errorf("the preview of revision 2:\n%s", again)
	}
	must(analyst.SubmitSecurityAdvisory(ctx, a.ID))(t)
	a = must(admin.PublishSecurityAdvisory(ctx, a.ID))(t)
	if a.Version != 2 || len(a.Revisions) != 2 || a.Revisions[1].Summary != rev {
		t.Fatalf("revision 2: %+v", a)
	}
	if got := must(admin.SecurityAdvisory(ctx, a.ID))(t); got.Version != 2 || got.Revisions[0].SHA256 == got.Revisions[1].SHA256 {
		t.Errorf("reading revision 2: %+v", got)
	}
	if got := must(admin.SecurityAdvisories(ctx, model.SecAdvPublished))(t); len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("the published advisories: %+v", got)
	}
	if _, err := admin.SecurityAdvisoryDocument(ctx, a.ID, "pdf"); err == nil {
		t.Error("a pdf was asked for and no error came")
	}
}

// TestSecurityAdvisoryWorkflow publishes two advisories and a second
// revision, and reads everything the provider serves, on both engines.
func TestSecurityAdvisoryWorkflow(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{seed: true})
			ctx := t.Context()
			admin := client.New(p.URL, client.WithToken(p.admin.Token))
			analyst := client.New(p.URL, client.WithToken(p.client(t, "analyst").Token))
			auditor := client.New(p.URL, client.WithToken(p.client(t, "auditor").Token))
			assets := must(admin.Assets(ctx, client.AssetQuery{}))(t).Items
			shop := assets[0].ID

			// Refusals name the field.
			for name, c := range map[string]struct {
				in   api.SecurityAdvisoryInput
				want string
			}{
				"no title":  {api.SecurityAdvisoryInput{}, "title"},
				"TLP AMBER": {func() api.SecurityAdvisoryInput { in := secAdvInput(shop, "x"); in.TLP = ptr("AMBER"); return in }(), "tlp"},
				"bad CVSS": {func() api.SecurityAdvisoryInput {
					in := secAdvInput(shop, "x")
					(*in.Vulnerabilities)[0].CVSS = "CVSS:3.1/AV:N"
					return in
				}(), "cvss"},
				"bad CVE": {func() api.SecurityAdvisoryInput {
					in := secAdvInput(shop, "x")
					(*in.Vulnerabilities)[0].CVE = "CVE-26-1"
					return in
				}(), "cve"},
				"no asset": {secAdvInput(987654, "x"), "no such asset"},
				"vex status": {func() api.SecurityAdvisoryInput {
					in := secAdvInput(shop, "x")
					(*in.Products)[0].Status = "not_affected"
					return in
				}(), "csaf_vex"},
			} {
				_, err := analyst.CreateSecurityAdvisory(ctx, c.in)
				wantClientError(t, name, err, http.StatusBadRequest, c.want)
			}
			_, err := auditor.CreateSecurityAdvisory(ctx, secAdvInput(shop, "x"))
			wantClientError(t, "an auditor writing", err, http.StatusForbidden, "write security advisories")

			first := must(analyst.CreateSecurityAdvisory(ctx, secAdvInput(shop, "First")))(t)
			vexIn := secAdvInput(shop, "VEX")
			vexIn.Profile = ptr(model.ProfileVEX)
			*vexIn.Products = append(*vexIn.Products, model.SecAdvProduct{AssetID: shop, Name: "Shop Lite", Affected: "vers:generic/*",
				Status: model.ProductNotAffected, Justification: "vulnerable_code_not_present"})
			second := must(analyst.CreateSecurityAdvisory(ctx, vexIn))(t)
			if first.TrackingID == second.TrackingID || !strings.HasPrefix(first.TrackingID, "VD-") {
				t.Fatalf("tracking IDs %s, %s", first.TrackingID, second.TrackingID)
			}
			_, err = admin.PublishSecurityAdvisory(ctx, first.ID)
			wantClientError(t, "publishing a draft", err, http.StatusConflict, "review")
			for _, id := range []int64{first.ID, second.ID} {
				must(analyst.SubmitSecurityAdvisory(ctx, id))(t)
				must(admin.PublishSecurityAdvisory(ctx, id))(t)
			}
			// The second revision of the first.
			must(analyst.UpdateSecurityAdvisory(ctx, first.ID, api.SecurityAdvisoryInput{Summary: ptr("Now with more detail.")}))(t)
			_, err = analyst.UpdateSecurityAdvisory(ctx, second.ID, api.SecurityAdvisoryInput{Profile: ptr(model.ProfileSecurityAdvisory)})
			wantClientError(t, "changing a published profile", err, http.StatusBadRequest, "profile")
			must(analyst.SubmitSecurityAdvisory(ctx, first.ID))(t)
			first = must(admin.PublishSecurityAdvisory(ctx, first.ID))(t)
			if first.Version != 2 || first.Revisions[0].Number != 1 || first.Revisions[1].Number != 2 {
				t.Fatalf("revisions: %+v", first.Revisions)
			}

			// Every change was an audit event.
			var evs struct{ Items []model.AuditEvent }
			p.admin.JSON(t, "GET", "/api/v1/audit/events?object_type=security_advisory&limit=500", nil, 200, &evs)
			kinds := map[string]int{}
			for _, ev := range evs.Items {
				kinds[ev.Kind]++
			}
			want := map[string]int{"security_advisory.created": 2, "security_advisory.submitted": 3, "security_advisory.published": 3,
				"security_advisory.revision_started": 1}
			for k, n := range want {
				if kinds[k] != n {
					t.Errorf("audit events %s: %d, want %d (all: %v)", k, kinds[k], n, kinds)
				}
			}

			checkProvider(t, p.URL, []model.SecurityAdvisory{first, must(admin.SecurityAdvisory(ctx, second.ID))(t)})
		})
	}
}

// get reads a public URL: 200, its body.
func getPublic(t *testing.T, url string) []byte {
	t.Helper()
	a := rawCall(t, url, "GET", "", nil, nil)
	if a.status != 200 {
		t.Fatalf("GET %s: %s", url, a)
	}
	return a.body
}

// checkProvider reads the provider as a stranger: the metadata is valid,
// every document listed is valid CSAF, its hashes match its bytes and its
// signature verifies with the key the metadata names; changes.csv is
// newest first; the bytes do not change between reads.
func checkProvider(t *testing.T, base string, published []model.SecurityAdvisory) {
	pm := getPublic(t, base+"/.well-known/csaf/provider-metadata.json")
	if err := csaftest.Validate(t, csaftest.Provider, pm); err != nil {
		t.Fatalf("provider-metadata.json: %v\n%s", err, pm)
	}
	var meta struct {
		CanonicalURL string `json:"canonical_url"`
		Role         string `json:"role"`
		Dist         []struct {
			DirectoryURL string `json:"directory_url"`
		} `json:"distributions"`
		Keys []struct{ Fingerprint, URL string } `json:"public_openpgp_keys"`
	}
	if err := json.Unmarshal(pm, &meta); err != nil {
		t.Fatal(err)
	}
	// The provider's URLs are https even when the request came over
	// plain http (a TLS proxy's): CSAF providers are reached over TLS.
	site := "https://" + strings.TrimPrefix(base, "http://")
	if meta.Role != "csaf_trusted_provider" || meta.CanonicalURL != site+"/.well-known/csaf/provider-metadata.json" ||
		len(meta.Dist) != 1 || meta.Dist[0].DirectoryURL != site+"/.well-known/csaf/white/" || len(meta.Keys) != 1 {
		t.Fatalf("provider metadata: %s", pm)
	}
	pub := getPublic(t, strings.Replace(meta.Keys[0].URL, site, base, 1))
	_, err := pgpkey.Parse(pub, nil)
	if err == nil || !strings.Contains(err.Error(), "public key only") {
		t.Errorf("the public key file: parsing it as a private key: %v", err)
	}
	index := strings.Fields(string(getPublic(t, base+"/.well-known/csaf/white/index.txt")))
	if len(index) != len(published) {
		t.Fatalf("index.txt lists %v; %d were published", index, len(published))
	}
	rows, err := csv.NewReader(bytes.NewReader(getPublic(t, base+"/.well-known/csaf/white/changes.csv"))).ReadAll()
	if err != nil || len(rows) != len(published) {
		t.Fatalf("changes.csv: %v, %v", rows, err)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i-1][1] < rows[i][1] {
			t.Errorf("changes.csv is not newest first: %v", rows)
		}
	}
	for _, a := range published {
		path := fmt.Sprintf("%d/%s", a.InitialReleaseAt.Year(), a.FileName)
		if !strings.Contains(strings.Join(index, " "), path) {
			t.Errorf("index.txt does not list %s: %v", path, index)
		}
		u := strings.Replace(meta.Dist[0].DirectoryURL, site, base, 1) + path
		doc := getPublic(t, u)
		if again := getPublic(t, u); !bytes.Equal(doc, again) {
			t.Errorf("%s changed between two reads", u)
		}
		if err := csaftest.Validate(t, csaftest.CSAF, doc); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		var d struct {
			Document struct {
				Tracking struct {
					ID, Version, Status string
					Revisions           []struct{ Number string } `json:"revision_history"`
				}
			}
		}
		if err := json.Unmarshal(doc, &d); err != nil || d.Document.Tracking.ID != a.TrackingID || d.Document.Tracking.Status != "final" ||
			d.Document.Tracking.Version != fmt.Sprint(a.Version) || len(d.Document.Tracking.Revisions) != a.Version {
			t.Errorf("%s: tracking %+v (%v); want %s version %d", u, d.Document.Tracking, err, a.TrackingID, a.Version)
		}
		s256, s512 := sha256.Sum256(doc), sha512.Sum512(doc)
		if got, want := string(getPublic(t, u+".sha256")), hex.EncodeToString(s256[:])+"  "+a.FileName+"\n"; got != want {
			t.Errorf("%s.sha256: %q, want %q", u, got, want)
		}
		if got, want := string(getPublic(t, u+".sha512")), hex.EncodeToString(s512[:])+"  "+a.FileName+"\n"; got != want {
			t.Errorf("%s.sha512: %q, want %q", u, got, want)
		}
		sig := getPublic(t, u+".asc")
		if err := pgpkey.Verify(pub, doc, sig); err != nil {
			t.Errorf("%s.asc does not verify with %s: %v", u, meta.Keys[0].URL, err)
		}
		if err := pgpkey.Verify(pub, append(bytes.Clone(doc), '\n'), sig); err == nil {
			t.Errorf("%s.asc verifies changed bytes", u)
		}
	}
	// What is not published is not served.
	for _, path := range []string{"/.well-known/csaf/white/2026/nope.json", "/.well-known/csaf/white/20x6/a.json", "/.well-known/csaf/white/2026/..%2fx.json",
		"/.well-known/csaf/openpgp/0000.asc"} {
		if a := rawCall(t, base, "GET", path, nil, nil); a.status != 404 {
			t.Errorf("GET %s: %s, want 404", path, a)
		}
	}
	page := string(getPublic(t, base+"/security/advisories"))
	for _, a := range published {
		if !strings.Contains(page, a.TrackingID) || !strings.Contains(page, a.FileName) {
			t.Errorf("the public advisories page does not list %s", a.TrackingID)
		}
	}
}
