package service

// The CRA's duties of a manufacturer: its products with their support
// period (Art. 13(8)), the reports it sends to others (NIS2 Art. 12 and
// CRA Art. 13(6)), and the Art. 14 clocks of actively exploited
// vulnerabilities in its products. Each use case is one transaction
// with its audit event.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// SetProduct marks an asset as a product the organisation makes, or
// changes it: the whole product is replaced by p (its name defaults to
// the asset's).
func (s *Service) SetProduct(ctx context.Context, assetID int64, p model.Product, by string) (model.Product, error) {
	var out model.Product
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.AssetForUpdate(ctx, assetID)
		if err != nil {
			return fmt.Errorf("asset %d: %w", assetID, err)
		}
		p.AssetID, p.AssetName = a.ID, a.Name
		if err := p.Normalize(); err != nil {
			return err
		}
		before, err := tx.ProductForUpdate(ctx, assetID)
		kind := "product.changed"
		if errors.Is(err, store.ErrNotFound) {
			kind = "product.marked"
		} else if err != nil {
			return err
		}
		if out, err = tx.PutProduct(ctx, p, by); err != nil {
			return err
		}
		out.SupportStatus = out.SupportStatusOn(tx.Now())
		var b any
		if kind == "product.changed" {
			b = before
		}
		return tx.AppendEvent(ctx, event(by, kind, "product", assetID), b, out)
	})
	return out, err
}

// UnmarkProduct says an asset is no longer a product; its clocks stay.
func (s *Service) UnmarkProduct(ctx context.Context, assetID int64, by string) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.ProductForUpdate(ctx, assetID)
		if err != nil {
			return fmt.Errorf("product %d (asset %d is not a product): %w", assetID, assetID, err)
		}
		if err := tx.DeleteProduct(ctx, assetID); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "product.unmarked", "product", assetID), before, nil)
	})
}

// PublishedProducts are the products the public sees: on the disclosure
// policy page and as choices on the report form.
func (s *Service) PublishedProducts(ctx context.Context) ([]model.Product, error) {
	return s.Store.PublishedProducts(ctx)
}

// RecordOutbound records a report the team sent: an escalation to the
// national CSIRT (its recipient defaults to the CSIRT of the disclosure
// settings) or a report to a component's upstream maintainers (its
// component defaults to the finding's package). The finding must exist;
// so must the case it names.
func (s *Service) RecordOutbound(ctx context.Context, o model.OutboundReport, by string) (model.OutboundReport, error) {
	if o.Kind == model.OutboundCSIRT && strings.TrimSpace(o.Recipient) == "" {
		d, err := s.Disclosure(ctx)
		if err != nil {
			return o, err
		}
		if o.Recipient = d.CSIRT.Name; o.Recipient == "" {
			return o, model.Invalidf("recipient: required, since the disclosure settings name no national CSIRT (csirt.name)")
		}
		if o.Channel == "" {
			o.Channel = d.CSIRT.Contact
		}
	}
	if o.FindingID > 0 && o.Kind == model.OutboundUpstream && strings.TrimSpace(o.Component) == "" {
		if f, err := s.Store.Finding(ctx, o.FindingID); err == nil {
			o.Component = findingComponent(f)
		}
	}
	o.CreatedBy = by
	o.ID, o.Response, o.RespondedAt = 0, "", time.Time{}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := o.Normalize(tx.Now()); err != nil {
			return err
		}
		if o.FindingID > 0 {
			if err := findingExists(ctx, tx, o.FindingID); err != nil {
				return err
			}
		}
		if o.CaseID > 0 {
			if err := caseExists(ctx, tx, o.CaseID); err != nil {
				return err
			}
		}
		var err error
		if o, err = tx.CreateOutbound(ctx, o); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "outbound_report.recorded", "outbound_report", o.ID), nil, o)
	})
	return o, err
}

// findingComponent names a finding's component: its purl, or package and
// version.
func findingComponent(f model.AssetFinding) string {
	if f.PURL != "" {
		return f.PURL
	}
	return fmt.Sprintf("%s %s@%s", f.Ecosystem, f.Package, f.Version)
}

// findingExists is ErrNotFound naming the finding when there is none.
func findingExists(ctx context.Context, tx *store.Tx, id int64) error {
	_, err := tx.TriagedFindings(ctx, []int64{id})
	return err
}

// UpdateOutbound records what became of an outbound report.
func (s *Service) UpdateOutbound(ctx context.Context, id int64, u model.OutboundUpdate, by string) (model.OutboundReport, error) {
	var out model.OutboundReport
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.OutboundForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("outbound report %d: %w", id, err)
		}
		if u.Status == nil && u.Response == nil && u.Reference == nil && u.RespondedAt == nil {
			return model.Invalidf("status, response, responded_at or reference: nothing to change")
		}
		o := before
		if u.Status != nil {
			o.Status = *u.Status
		}
		if u.Response != nil {
			o.Response = *u.Response
		}
		if u.Reference != nil {
			o.Reference = *u.Reference
		}
		now := tx.Now()
		switch {
		case u.RespondedAt != nil:
			o.RespondedAt = u.RespondedAt.UTC()
		case u.Response != nil || (u.Status != nil && o.Status != "sent"):
			o.RespondedAt = now
		}
		if err := o.Normalize(now); err != nil {
			return err
		}
		if !o.RespondedAt.IsZero() {
			if err := checkNotFuture("responded_at", o.RespondedAt, now); err != nil {
				return err
			}
			if o.RespondedAt.Before(o.SentAt) {
				return model.Invalidf("responded_at %s: before the report was sent (%s)", o.RespondedAt.Format(time.RFC3339), o.SentAt.Format(time.RFC3339))
			}
		}
		if out, err = tx.UpdateOutbound(ctx, o); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "outbound_report.updated", "outbound_report", id), before, out)
	})
	return out, err
}

func checkNotFuture(field string, t, now time.Time) error {
	if t.After(now.Add(time.Minute)) {
		return model.Invalidf("%s %s: in the future", field, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// notProduct is the refusal to start a clock on an asset that is not a
// product.
func notProduct(a model.Asset) error {
	return model.Invalidf("asset %q (%d) is not a product the organisation makes: CRA Art. 14 reporting applies to "+
		"manufacturers' products; mark it as a product first (PUT /api/v1/assets/%d/product, or the Products page)", a.Name, a.ID, a.ID)
}

// StartCRAClock flags a finding (or a disclosure case, with the product
// it concerns) as actively exploited in a product the organisation makes,
// and starts the CRA Art. 14 clock: early warning within 24 hours of
// awareness, notification within 72 hours. The three drafts are
// prefilled from the product and the finding. An asset that is not a
// product is refused, naming it; a finding has one clock.
func (s *Service) StartCRAClock(ctx context.Context, in model.CRAStart, by string) (model.CRAClock, error) {
	var f model.AssetFinding
	if in.FindingID > 0 {
		var err error
		if f, err = s.Store.Finding(ctx, in.FindingID); err != nil {
			return model.CRAClock{}, fmt.Errorf("finding %d: %w", in.FindingID, err)
		}
		if in.AssetID != 0 && in.AssetID != f.AssetID {
			return model.CRAClock{}, model.Invalidf("asset_id %d: finding %d is of asset %d", in.AssetID, f.ID, f.AssetID)
		}
		in.AssetID = f.AssetID
	}
	var c model.CRAClock
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := in.Normalize(tx.Now()); err != nil {
			return err
		}
		if in.FindingID > 0 {
			// Locked until the clock is stored: it cannot go away before.
			if err := findingExists(ctx, tx, in.FindingID); err != nil {
				return err
			}
		}
		if in.CaseID > 0 {
			if err := caseExists(ctx, tx, in.CaseID); err != nil {
				return err
			}
		}
		a, err := tx.AssetForUpdate(ctx, in.AssetID)
		if err != nil {
			return fmt.Errorf("asset %d: %w", in.AssetID, err)
		}
		p, err := tx.ProductForUpdate(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			return notProduct(a)
		}
		if err != nil {
			return err
		}
		c = model.CRAClock{AssetID: a.ID, FindingID: in.FindingID, CaseID: in.CaseID, Product: p.Name, AwareAt: in.AwareAt.UTC(),
			Note: in.Note, StartedBy: by}
		c.Vulnerability = in.Title
		if in.FindingID > 0 {
			c.Vulnerability = vulnName(f)
		}
		c.Drafts = prefillDrafts(p, f, in)
		if c, err = tx.CreateCRAClock(ctx, c); err != nil {
			return err
		}
		c.Deadlines = c.DeadlinesAt(tx.Now())
		return tx.AppendEvent(ctx, event(by, "cra_clock.started", "cra_clock", c.ID), nil, c)
	})
	return c, err
}

// vulnName is a finding's vulnerability: its advisory with its aliases.
func vulnName(f model.AssetFinding) string {
	if len(f.Aliases) == 0 {
		return f.VulnID
	}
	return fmt.Sprintf("%s (%s)", f.VulnID, strings.Join(f.Aliases, ", "))
}

// prefillDrafts writes what the data already says into the three drafts.
func prefillDrafts(p model.Product, f model.AssetFinding, in model.CRAStart) model.CRADrafts {
	var d model.CRADrafts
	support := fmt.Sprintf("%s, supported until %s.", p.Name, p.SupportEnd)
	if p.SupportPolicy != "" {
		support += " " + p.SupportPolicy
	}
	if p.SecurityContact != "" {
		support += " Security contact: " + p.SecurityContact + "."
	}
	d.EarlyWarning = model.CRAEarlyWarning{Product: p.Name, MaliciousAct: "unknown", MemberStates: p.MemberStates}
	d.Notification = model.CRANotification{ProductInfo: support,
		Sensitivity: "Confidential until users can apply the corrective measure (TLP:AMBER)."}
	if in.FindingID == 0 {
		d.EarlyWarning.Details = in.Title
		d.Notification.Nature = in.Title
		d.FinalReport.Description = in.Title
		return d
	}
	comp := findingComponent(f)
	d.EarlyWarning.Product = fmt.Sprintf("%s (component %s)", p.Name, comp)
	nature := fmt.Sprintf("%s in %s", vulnName(f), comp)
	if f.Summary != "" {
		nature += ": " + f.Summary
	}
	nature += "."
	if f.KEV {
		nature += " Listed in CISA's Known Exploited Vulnerabilities catalog."
	}
	d.Notification.Nature = nature
	sev := "Severity: " + f.Severity
	if f.Score > 0 {
		sev += fmt.Sprintf(" (CVSS base score %.1f)", f.Score)
	}
	d.FinalReport.Description = nature + " " + sev + "."
	if f.Fix != "" {
		d.Notification.CorrectiveMeasures = fmt.Sprintf("%s %s fixes it; a release of %s with it is being prepared.", f.Package, f.Fix, p.Name)
		d.Notification.UserMeasures = fmt.Sprintf("Update %s to a release that includes %s %s or later once available.", p.Name, f.Package, f.Fix)
		d.FinalReport.SecurityUpdate = fmt.Sprintf("%s upgraded to %s.", f.Package, f.Fix)
	}
	return d
}

// SaveCRADrafts replaces the drafts the patch carries. A report already
// submitted keeps its draft: the record of what was sent.
func (s *Service) SaveCRADrafts(ctx context.Context, id int64, p model.CRADraftsPatch, by string) (model.CRAClock, error) {
	return s.changeClock(ctx, id, by, "cra_clock.drafts_saved", func(c *model.CRAClock) error {
		for report, set := range map[string]bool{model.CRAEarlyWarningReport: p.EarlyWarning != nil,
			model.CRANotificationReport: p.Notification != nil, model.CRAFinalReportReport: p.FinalReport != nil} {
			if _, done := c.Submitted(report); done && set {
				return fmt.Errorf("CRA clock %d: the %s was submitted; its draft is the record of what was sent: %w", id, report, store.ErrConflict)
			}
		}
		return p.Apply(&c.Drafts)
	})
}

// RecordCRAMitigation records that a corrective or mitigating measure is
// available: the final report is due 14 days later. It may be corrected
// until the final report is submitted.
func (s *Service) RecordCRAMitigation(ctx context.Context, id int64, m model.CRAMitigation, by string) (model.CRAClock, error) {
	return s.changeClock(ctx, id, by, "cra_clock.mitigation_recorded", func(c *model.CRAClock) error {
		if _, done := c.Submitted(model.CRAFinalReportReport); done {
			return fmt.Errorf("CRA clock %d: the final report was submitted: %w", id, store.ErrConflict)
		}
		now := s.Store.Now()
		if m.AvailableAt.IsZero() {
			m.AvailableAt = now
		}
		if err := checkNotFuture("available_at", m.AvailableAt, now); err != nil {
			return err
		}
		m.Description = strings.TrimSpace(m.Description)
		if len([]rune(m.Description)) > 2000 {
			return model.Invalidf("description: at most 2000 characters")
		}
		c.MitigationAt, c.Mitigation = m.AvailableAt.UTC(), m.Description
		if c.Drafts.FinalReport.SecurityUpdate == "" {
			c.Drafts.FinalReport.SecurityUpdate = m.Description
		}
		return nil
	})
}

// changeClock changes a clock in one transaction with its audit event.
func (s *Service) changeClock(ctx context.Context, id int64, by, kind string, change func(*model.CRAClock) error) (model.CRAClock, error) {
	var out model.CRAClock
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.CRAClockForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("CRA clock %d: %w", id, err)
		}
		c := before
		if err := change(&c); err != nil {
			return err
		}
		if out, err = tx.UpdateCRAClock(ctx, c); err != nil {
			return err
		}
		out.Deadlines = out.DeadlinesAt(tx.Now())
		return tx.AppendEvent(ctx, event(by, kind, "cra_clock", id), before, out)
	})
	return out, err
}

// RecordCRASubmission records that a report was submitted (by hand: on
// ENISA's single reporting platform unless said otherwise), with the
// draft as it stands. Each report is submitted once.
func (s *Service) RecordCRASubmission(ctx context.Context, id int64, in model.CRASubmissionInput, by string) (model.CRASubmission, error) {
	var sub model.CRASubmission
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := in.Normalize(tx.Now(), by); err != nil {
			return err
		}
		c, err := tx.CRAClockForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("CRA clock %d: %w", id, err)
		}
		if in.SubmittedAt.Before(c.AwareAt) {
			return model.Invalidf("submitted_at %s: before awareness (%s)", in.SubmittedAt.UTC().Format(time.RFC3339), c.AwareAt.Format(time.RFC3339))
		}
		content := map[string]any{model.CRAEarlyWarningReport: c.Drafts.EarlyWarning, model.CRANotificationReport: c.Drafts.Notification,
			model.CRAFinalReportReport: c.Drafts.FinalReport}[in.Report]
		sub = model.CRASubmission{Report: in.Report, SubmittedAt: in.SubmittedAt.UTC(), Channel: in.Channel, Reference: in.Reference,
			SubmittedBy: in.SubmittedBy, Content: mustJSON(content), RecordedBy: by}
		if sub, err = tx.AddCRASubmission(ctx, id, sub); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "cra_clock.report_submitted", "cra_clock", id), nil, sub)
	})
	return sub, err
}
