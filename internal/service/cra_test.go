package service_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// pinClock fixes the store's clock at t and returns a setter to move it.
func pinClock(st *store.Store, t time.Time) func(time.Time) {
	at := t
	st.SetClock(func() time.Time { return at })
	return func(n time.Time) { at = n }
}

// TestProducts: marking an asset as a product (the name defaults to the
// asset's), changing it, the support status by its end date on a pinned
// clock, what is published, unmarking, and the audit events of each.
func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := exceptionFixture(t, st)
		pinClock(st, time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC))
		api, _ := st.AssetByName(ctx, "api")
		legacy, _ := st.AssetByName(ctx, "legacy")
		for name, c := range map[string]struct {
			p    model.Product
			want string
		}{
			"no end":      {model.Product{}, "support_end: required"},
			"bad end":     {model.Product{SupportEnd: "31.12.2030"}, "YYYY-MM-DD"},
			"bad contact": {model.Product{SupportEnd: "2030-12-31", SecurityContact: "javascript:alert(1)"}, "security_contact"},
			"bad state":   {model.Product{SupportEnd: "2030-12-31", MemberStates: []string{"US"}}, `member state "US"`},
		} {
			if _, err := svc.SetProduct(ctx, api.ID, c.p, "alice"); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v; want ErrInvalid naming %q", name, err, c.want)
			}
		}
		if _, err := svc.SetProduct(ctx, 987654, model.Product{SupportEnd: "2030-12-31"}, "alice"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing asset: %v", err)
		}
		p, err := svc.SetProduct(ctx, api.ID, model.Product{SupportEnd: "2032-02-29", MemberStates: []string{"de", "GR", "de"},
			SecurityContact: "mailto:psirt@example.org"}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "api" || p.SupportStatus != model.SupportSupported || strings.Join(p.MemberStates, " ") != "DE EL" || p.CreatedBy != "alice" {
			t.Errorf("marked: %+v", p)
		}
		// Ending within 90 days (inclusive), ended the day after its last.
		for _, c := range [][2]string{{"2027-05-30", model.SupportEnding}, {"2027-05-31", model.SupportSupported},
			{"2027-03-01", model.SupportEnding}, {"2027-02-28", model.SupportEnded}} {
			end, want := c[0], c[1]
			got, err := svc.SetProduct(ctx, legacy.ID, model.Product{Name: "Legacy Box", SupportEnd: end, Published: true}, "bob")
			if err != nil || got.SupportStatus != want {
				t.Errorf("support until %s on 2027-03-01: %q, %v; want %s", end, got.SupportStatus, err, want)
			}
		}
		all, _ := st.Products(ctx, false)
		pub, _ := st.PublishedProducts(ctx)
		if len(all) != 2 || len(pub) != 1 || pub[0].Name != "Legacy Box" || pub[0].SupportStatus != model.SupportEnded || pub[0].CreatedBy != "bob" {
			t.Errorf("products %+v, published %+v", all, pub)
		}
		if err := svc.UnmarkProduct(ctx, legacy.ID, "carol"); err != nil {
			t.Fatal(err)
		}
		if err := svc.UnmarkProduct(ctx, legacy.ID, "carol"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unmarking twice: %v", err)
		}
		evs, err := st.AuditEvents(ctx, store.AuditFilter{ObjectType: "product", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Actor+":"+e.Kind)
		}
		want := "alice:product.marked bob:product.marked bob:product.changed bob:product.changed bob:product.changed carol:product.unmarked"
		if strings.Join(kinds, " ") != want {
			t.Errorf("audit events %v\nwant %s", kinds, want)
		}
	})
}

// TestCRAClocks: a finding on a non-product is refused naming the asset;
// on a product the clock starts with prefilled drafts; its deadlines
// move from due to breached on a pinned clock, the final report waits for
// a measure, submissions are recorded once each (met or late), drafts of
// submitted reports stay as sent, and each step is an audit event.
func TestCRAClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := exceptionFixture(t, st)
		t0 := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
		move := pinClock(st, t0)
		api, _ := st.AssetByName(ctx, "api")
		var flask int64
		for _, f := range openFindings(t, st, "open") {
			if f.AssetID == api.ID && f.Package == "flask" {
				flask = f.ID
			}
		}
		_, err := svc.StartCRAClock(ctx, model.CRAStart{FindingID: flask}, "alice")
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), `asset "api"`) || !strings.Contains(err.Error(), "not a product") {
			t.Fatalf("a finding on a non-product: %v", err)
		}
		if _, err := svc.SetProduct(ctx, api.ID, model.Product{Name: "Shop API", SupportEnd: "2032-12-31", MemberStates: []string{"NL"}}, "alice"); err != nil {
			t.Fatal(err)
		}
		// The candidates: KEV-listed open findings of products without a clock.
		if _, err := st.DB().ExecContext(ctx, `UPDATE findings SET kev = TRUE WHERE id = $1`, flask); err != nil {
			t.Fatal(err)
		}
		if cs, err := st.CRACandidates(ctx); err != nil || len(cs) != 1 || cs[0].FindingID != flask || cs[0].Product != "Shop API" {
			t.Errorf("candidates %+v, %v", cs, err)
		}
		for name, c := range map[string]struct {
			in   model.CRAStart
			want string
		}{
			"nothing":          {model.CRAStart{}, "finding_id or case_id"},
			"case, no product": {model.CRAStart{CaseID: 7, Title: "x"}, "asset_id: required"},
			"case, no title":   {model.CRAStart{CaseID: 7, AssetID: api.ID}, "title: required"},
			"future":           {model.CRAStart{FindingID: flask, AwareAt: t0.Add(time.Hour)}, "in the future"},
			"other asset":      {model.CRAStart{FindingID: flask, AssetID: api.ID + 1}, "is of asset"},
		} {
			if _, err := svc.StartCRAClock(ctx, c.in, "alice"); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v; want ErrInvalid naming %q", name, err, c.want)
			}
		}
		aware := t0.Add(-2 * time.Hour)
		c, err := svc.StartCRAClock(ctx, model.CRAStart{FindingID: flask, AwareAt: aware, Note: "seen in our honeypot"}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if c.Product != "Shop API" || !strings.HasPrefix(c.Vulnerability, "PYSEC-0002 (CVE-2024-0002") ||
			c.Drafts.EarlyWarning.MaliciousAct != "unknown" || strings.Join(c.Drafts.EarlyWarning.MemberStates, ",") != "NL" ||
			!strings.Contains(c.Drafts.Notification.Nature, "flaw in flask") || !strings.Contains(c.Drafts.Notification.Nature, "Known Exploited") ||
			!strings.Contains(c.Drafts.Notification.CorrectiveMeasures, "flask 1.0.0") || !strings.Contains(c.Drafts.Notification.ProductInfo, "2032-12-31") {
			t.Errorf("started: %+v", c)
		}
		if _, err := svc.StartCRAClock(ctx, model.CRAStart{FindingID: flask}, "alice"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second clock of the finding: %v", err)
		}
		if cs, _ := st.CRACandidates(ctx); len(cs) != 0 {
			t.Errorf("a finding with a clock is still a candidate: %+v", cs)
		}
		states := func(at time.Time) string {
			move(at)
			got, err := st.CRAClock(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, d := range got.Deadlines {
				s = append(s, d.Report+"="+d.State)
			}
			return strings.Join(s, " ")
		}
		if got, want := states(t0), "early_warning=due notification=due final_report=waiting"; got != want {
			t.Errorf("at start: %s, want %s", got, want)
		}
		got, _ := st.CRAClock(ctx, c.ID)
		if d := got.Deadlines[0]; !d.DueAt.Equal(aware.Add(24*time.Hour)) || d.RemainingSeconds != 22*3600 {
			t.Errorf("early warning deadline %+v", d)
		}
		if d := got.Deadlines[1]; !d.DueAt.Equal(aware.Add(72 * time.Hour)) {
			t.Errorf("notification deadline %+v", d)
		}
		// Exactly at the deadline it is breached.
		if got, want := states(aware.Add(24*time.Hour)), "early_warning=breached notification=due final_report=waiting"; got != want {
			t.Errorf("at 24 h: %s, want %s", got, want)
		}
		// The early warning goes late; the notification in time.
		move(aware.Add(30 * time.Hour))
		if _, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "intermediate"}, "bob"); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("an unknown report: %v", err)
		}
		if _, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "early_warning", SubmittedAt: aware.Add(-time.Hour)}, "bob"); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("a submission before awareness: %v", err)
		}
		ew, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "early_warning", Reference: "ENISA-SRP-1"}, "bob")
		if err != nil || ew.Channel != model.DefaultCRAChannel || ew.SubmittedBy != "bob" || !strings.Contains(ew.Content, `"malicious_act":"unknown"`) {
			t.Errorf("early warning submitted: %+v, %v", ew, err)
		}
		if _, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "early_warning"}, "bob"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second early warning: %v", err)
		}
		if _, err := svc.SaveCRADrafts(ctx, c.ID, model.CRADraftsPatch{EarlyWarning: &model.CRAEarlyWarning{Product: "x"}}, "bob"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("changing a submitted draft: %v", err)
		}
		saved, err := svc.SaveCRADrafts(ctx, c.ID, model.CRADraftsPatch{Notification: &model.CRANotification{Nature: "RCE via crafted cookie", Sensitivity: "TLP:RED"}}, "bob")
		if err != nil || saved.Drafts.Notification.Nature != "RCE via crafted cookie" || saved.Drafts.Notification.ProductInfo != "" {
			t.Errorf("saved: %+v, %v", saved.Drafts.Notification, err)
		}
		if _, err := svc.SaveCRADrafts(ctx, c.ID, model.CRADraftsPatch{EarlyWarning: nil}, "bob"); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("an empty patch: %v", err)
		}
		if _, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "notification", Channel: "CSIRT portal"}, "bob"); err != nil {
			t.Fatal(err)
		}
		if got, want := states(aware.Add(31*time.Hour)), "early_warning=late notification=met final_report=waiting"; got != want {
			t.Errorf("after two submissions: %s, want %s", got, want)
		}
		// The measure: the final report is due 14 days later.
		fixAt := aware.Add(5 * 24 * time.Hour)
		move(fixAt.Add(time.Hour))
		m, err := svc.RecordCRAMitigation(ctx, c.ID, model.CRAMitigation{AvailableAt: fixAt, Description: "release 4.2 with flask 1.0.0"}, "carol")
		if err != nil || !m.MitigationAt.Equal(fixAt) {
			t.Fatalf("mitigation: %+v, %v", m, err)
		}
		if d := m.Deadlines[2]; d.State != model.CRADue || !d.DueAt.Equal(fixAt.Add(14*24*time.Hour)) {
			t.Errorf("final report deadline %+v", d)
		}
		if got, want := states(fixAt.Add(14*24*time.Hour+time.Second)), "early_warning=late notification=met final_report=breached"; got != want {
			t.Errorf("after 14 days: %s, want %s", got, want)
		}
		if _, err := svc.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "final_report", SubmittedAt: fixAt.Add(13 * 24 * time.Hour)}, "bob"); err != nil {
			t.Fatal(err)
		}
		if got, want := states(fixAt.Add(20*24*time.Hour)), "early_warning=late notification=met final_report=met"; got != want {
			t.Errorf("all submitted: %s, want %s", got, want)
		}
		if _, err := svc.RecordCRAMitigation(ctx, c.ID, model.CRAMitigation{}, "carol"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a measure after the final report: %v", err)
		}
		// A case's clock, without a finding; a case that does not exist
		// is refused.
		if _, err := svc.StartCRAClock(ctx, model.CRAStart{CaseID: 4242, AssetID: api.ID, Title: "t"}, "alice"); !errors.Is(err, model.ErrInvalid) ||
			!strings.Contains(err.Error(), "case_id 4242: no such disclosure case") {
			t.Errorf("a clock of a missing case: %v", err)
		}
		caseID := reportCase(t, svc)
		cc, err := svc.StartCRAClock(ctx, model.CRAStart{CaseID: caseID, AssetID: api.ID, Title: "auth bypass reported by a researcher"}, "alice")
		if err != nil || cc.CaseID != caseID || cc.FindingID != 0 || cc.Vulnerability != "auth bypass reported by a researcher" {
			t.Errorf("a case's clock: %+v, %v", cc, err)
		}
		if cs, err := st.CRAClocks(ctx, store.CRAFilter{CaseID: caseID}); err != nil || len(cs) != 1 || cs[0].ID != cc.ID {
			t.Errorf("clocks of case %d: %+v, %v", caseID, cs, err)
		}
		// The clocks outlive the asset: its finding and asset are gone, the
		// product's name and the vulnerability stay.
		if err := svc.DeleteAsset(ctx, api.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		kept, err := st.CRAClock(ctx, c.ID)
		if err != nil || kept.AssetID != 0 || kept.FindingID != 0 || kept.Product != "Shop API" || len(kept.Submissions) != 3 {
			t.Errorf("the clock after its asset was deleted: %+v, %v", kept, err)
		}
		if ps, _ := st.Products(ctx, false); len(ps) != 0 {
			t.Errorf("products after the asset was deleted: %+v", ps)
		}
		evs, err := st.AuditEvents(ctx, store.AuditFilter{ObjectType: "cra_clock", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		want := "cra_clock.started cra_clock.report_submitted cra_clock.drafts_saved cra_clock.report_submitted " +
			"cra_clock.mitigation_recorded cra_clock.report_submitted cra_clock.started"
		if strings.Join(kinds, " ") != want {
			t.Errorf("audit events %v\nwant %s", kinds, want)
		}
	})
}

// TestOutboundReports: a CSIRT escalation takes its recipient from the
// disclosure settings (or refuses without one), an upstream report its
// component from the finding; a missing finding is refused; the answer
// is recorded later; and each is an audit event.
func TestOutboundReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := exceptionFixture(t, st)
		f := openFindings(t, st, "open")[0]
		caseID := reportCase(t, svc)
		_, err := svc.RecordOutbound(ctx, model.OutboundReport{Kind: "csirt", CaseID: caseID, Channel: "email"}, "alice")
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "no national CSIRT") {
			t.Errorf("a CSIRT escalation without a CSIRT set: %v", err)
		}
		d := model.DefaultDisclosure()
		d.CSIRT = model.CSIRT{Name: "CERT-Bund", Contact: "mailto:certbund@bsi.bund.de"}
		if err := st.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.SetSetting(ctx, "disclosure", d, "admin", tx.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordOutbound(ctx, model.OutboundReport{Kind: "csirt", CaseID: caseID + 1}, "alice"); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("an escalation of a missing case: %v", err)
		}
		esc, err := svc.RecordOutbound(ctx, model.OutboundReport{Kind: "csirt", CaseID: caseID}, "alice")
		if err != nil || esc.Recipient != "CERT-Bund" || esc.Channel != "mailto:certbund@bsi.bund.de" || esc.Status != "sent" || esc.CaseID != caseID {
			t.Errorf("escalation: %+v, %v", esc, err)
		}
		for name, c := range map[string]struct {
			o    model.OutboundReport
			want string
		}{
			"no link":         {model.OutboundReport{Kind: "upstream", Recipient: "x", Channel: "email", Component: "c", Upstream: "u"}, "case_id or finding_id"},
			"no upstream":     {model.OutboundReport{Kind: "upstream", FindingID: f.ID, Recipient: "x", Channel: "email"}, "upstream_project"},
			"bad kind":        {model.OutboundReport{Kind: "vendor", FindingID: f.ID}, `kind "vendor"`},
			"future":          {model.OutboundReport{Kind: "upstream", FindingID: f.ID, Recipient: "x", Channel: "email", Upstream: "u", SentAt: time.Now().Add(time.Hour)}, "in the future"},
			"two-line ref":    {model.OutboundReport{Kind: "upstream", FindingID: f.ID, Recipient: "x", Channel: "email", Upstream: "u", Reference: "a\nb"}, "reference"},
			"missing finding": {model.OutboundReport{Kind: "upstream", FindingID: 987654, Recipient: "x", Channel: "email", Upstream: "u", Component: "c"}, "finding 987654"},
		} {
			if _, err := svc.RecordOutbound(ctx, c.o, "alice"); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v; want an error naming %q", name, err, c.want)
			}
		}
		up, err := svc.RecordOutbound(ctx, model.OutboundReport{Kind: "upstream", FindingID: f.ID, Recipient: "pallets maintainers",
			Upstream: "https://github.com/pallets/flask", Channel: "GitHub private vulnerability report", Reference: "GHSA-xxxx-yyyy-zzzz"}, "alice")
		if err != nil || !strings.Contains(up.Component, f.Package) {
			t.Fatalf("upstream: %+v, %v", up, err)
		}
		if _, err := svc.UpdateOutbound(ctx, up.ID, model.OutboundUpdate{Status: ptr("lost")}, "bob"); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("an unknown status: %v", err)
		}
		got, err := svc.UpdateOutbound(ctx, up.ID, model.OutboundUpdate{Status: ptr("fixed"), Response: ptr("fixed in 1.0.0")}, "bob")
		if err != nil || got.Status != "fixed" || got.RespondedAt.IsZero() || got.Reference != "GHSA-xxxx-yyyy-zzzz" {
			t.Errorf("updated: %+v, %v", got, err)
		}
		if _, err := svc.UpdateOutbound(ctx, 987654, model.OutboundUpdate{Status: ptr("fixed")}, "bob"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing report: %v", err)
		}
		for _, c := range []struct {
			f    store.OutboundFilter
			want int
		}{{store.OutboundFilter{}, 2}, {store.OutboundFilter{CaseID: caseID}, 1}, {store.OutboundFilter{FindingID: f.ID}, 1},
			{store.OutboundFilter{Kind: "upstream"}, 1}, {store.OutboundFilter{Kind: "csirt", FindingID: f.ID}, 0}} {
			if os, err := st.OutboundReports(ctx, c.f); err != nil || len(os) != c.want {
				t.Errorf("filter %+v: %d reports, %v; want %d", c.f, len(os), err, c.want)
			}
		}
		evs, _ := st.AuditEvents(ctx, store.AuditFilter{ObjectType: "outbound_report", Limit: 50})
		if len(evs) != 3 || evs[2].Kind != "outbound_report.updated" || evs[2].Actor != "bob" {
			t.Errorf("audit events %+v", evs)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// reportCase files a disclosure case through the public intake and
// returns its ID, for the records that name a case.
func reportCase(t *testing.T, svc *service.Service) int64 {
	t.Helper()
	c, _, err := svc.SubmitReport(ctx, model.CaseReport{Title: "auth bypass", Description: "the login skips the second factor"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
