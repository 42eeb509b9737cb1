package advisorydb

import "github.com/vulndesk/vulndesk/internal/model"

// Multi joins several databases: records of all, an advisory from the
// first that knows it.
type Multi []DB

// Records implements DB.
func (m Multi) Records(key string) ([]*Record, error) {
	if len(m) == 1 {
		return m[0].Records(key)
	}
	var out []*Record
	for _, db := range m {
		rs, err := db.Records(key)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// Advisory implements DB.
func (m Multi) Advisory(id string) (model.AdvisoryInfo, bool, error) {
	for _, db := range m {
		info, ok, err := db.Advisory(id)
		if err != nil || ok {
			return info, ok, err
		}
	}
	return model.AdvisoryInfo{}, false, nil
}

// Stats implements DB: the sums of the parts.
func (m Multi) Stats() Stats {
	s := Stats{Ecosystems: map[string]int{}}
	for _, db := range m {
		p := db.Stats()
		s.Advisories += p.Advisories
		s.Withdrawn += p.Withdrawn
		s.Records += p.Records
		s.Sources = append(s.Sources, p.Sources...)
		for k, v := range p.Ecosystems {
			s.Ecosystems[k] += v
		}
	}
	return s
}
