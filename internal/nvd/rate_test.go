package nvd

import (
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestRate(t *testing.T) {
	nvd31 := CVSS{Source: NVDSource, Type: "Primary", Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", BaseScore: 7.5, BaseSeverity: "HIGH"}
	nvd2 := CVSS{Source: NVDSource, Type: "Primary", Version: "2.0", Vector: "AV:N/AC:L/Au:N/C:N/I:N/A:P", BaseScore: 5.0, BaseSeverity: "MEDIUM"}
	cna40 := CVSS{Source: "cna@example.com", Type: "Secondary", Version: "4.0", Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", BaseScore: 9.3, BaseSeverity: "CRITICAL"}
	cnaOnly := CVSS{Source: "cna@example.com", Type: "Secondary", Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", BaseScore: 4.3, BaseSeverity: "MEDIUM"}
	held := map[string][]CVSS{
		"CVE-2024-0001": {cna40, nvd31, nvd2},
		"CVE-2024-0002": {cnaOnly},
	}
	metrics := func(id string) []CVSS { return held[id] }

	t.Run("NVD primary, newest version, over a CNA", func(t *testing.T) {
		f := model.Finding{ID: "GO-2024-1", Aliases: []string{"CVE-2024-0001", "GHSA-xxxx"}, Severity: model.Severity{Rating: model.RatingUnknown}}
		if !Rate(&f, metrics) {
			t.Fatal("not rated")
		}
		want := model.Severity{Rating: model.RatingHigh, Score: 7.5, Type: "CVSS_V3", Vector: nvd31.Vector, Version: "3.1",
			From: model.SeverityFromNVD, Record: "CVE-2024-0001", Source: NVDSource, SourceType: "Primary"}
		if f.Severity != want {
			t.Errorf("severity %+v, want %+v", f.Severity, want)
		}
		if len(f.Conflicts) != 1 || f.Conflicts[0].Source != "cna@example.com" || f.Conflicts[0].Rating != model.RatingCritical {
			t.Errorf("conflicts %+v, want the CNA's critical", f.Conflicts)
		}
	})
	t.Run("CNA when NVD has not scored", func(t *testing.T) {
		f := model.Finding{ID: "CVE-2024-0002", Severity: model.Severity{Rating: model.RatingUnknown}}
		Rate(&f, metrics)
		if f.Severity.Rating != model.RatingMedium || f.Severity.SourceType != "Secondary" || f.Severity.Record != "CVE-2024-0002" {
			t.Errorf("severity %+v", f.Severity)
		}
		if len(f.Conflicts) != 0 {
			t.Errorf("conflicts %+v, want none", f.Conflicts)
		}
	})
	t.Run("the advisory's own severity stays", func(t *testing.T) {
		own := model.Severity{Rating: model.RatingLow, Score: 3.1, Type: "CVSS_V3", From: model.SeverityFromAdvisory, Record: "GHSA-1"}
		f := model.Finding{ID: "GHSA-1", Aliases: []string{"CVE-2024-0001"}, Severity: own}
		if Rate(&f, metrics) {
			t.Error("rated a finding whose advisory states a severity")
		}
		if f.Severity != own {
			t.Errorf("severity %+v, want the advisory's", f.Severity)
		}
		if len(f.Conflicts) != 2 {
			t.Errorf("conflicts %+v, want NVD's high and the CNA's critical", f.Conflicts)
		}
	})
	t.Run("no record held", func(t *testing.T) {
		f := model.Finding{ID: "GO-2024-9", Aliases: []string{"CVE-2024-9999", "EUVD-2024-12345"}, Severity: model.Severity{Rating: model.RatingUnknown}}
		if Rate(&f, metrics) || f.Severity.Rating != model.RatingUnknown {
			t.Errorf("rated without a record: %+v", f.Severity)
		}
	})
	t.Run("vectors", func(t *testing.T) {
		v := Vectors("GO-1", []string{"CVE-2024-0002", "CVE-2024-0001"}, metrics)
		if len(v) != 4 || v[0].Record != "CVE-2024-0002" || v[3].Version != "2.0" || v[3].From != model.SeverityFromNVD {
			t.Errorf("vectors %+v", v)
		}
	})
}
