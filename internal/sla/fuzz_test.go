package sla

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParsePolicy: any input either fails with an error or gives a valid
// policy that survives a round trip through its stored form.
func FuzzParsePolicy(f *testing.F) {
	def, _ := json.Marshal(DefaultPolicy(t0))
	f.Add(def)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":1,"rules":{"critical":{"internal":-1}}}`))
	f.Add([]byte(`{"criticality_percent":{"1":100,"9999999999999999999":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed policy invalid: %v", err)
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParsePolicy(again)
		if err != nil || !reflect.DeepEqual(p.Rules, q.Rules) || p.Version != q.Version || !p.CreatedAt.Equal(q.CreatedAt) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, p, q)
		}
	})
}
