package version

import (
	"errors"
	"fmt"
	"testing"
)

// fuzzEcosystems are the ecosystems FuzzParse picks from; they cover every
// parser semantic has.
var fuzzEcosystems = []string{
	"Go", "npm", "PyPI", "Maven", "NuGet", "Packagist", "RubyGems", "Debian",
	"Alpine", "Red Hat", "CRAN", "Pub", "Hackage", "crates.io",
}

func FuzzParse(f *testing.F) {
	seeds := []struct {
		eco  uint8
		a, b string
	}{
		{0, "v1.2.3", "1.2.3"},
		{0, "v0.0.0-20220906165146-f3363e06e74c", "0"},
		{1, "1.0.0-alpha.1", "1.0.0-alpha.beta"},
		{2, "1!2.0.post1.dev3+local.7", "2.0rc1"},
		{3, "1.0-SNAPSHOT", "1.0.RELEASE"},
		{4, "1.0.0-RC.1", "1.0.0.0"},
		{5, "dev-master", "v1.0.0-beta2"},
		{6, "1.0.0.pre.1", "1.a"},
		{7, "1:2.4.47-2+b1", "2.4.47-2~bpo1"},
		{8, "1.2.3_rc1-r0", "1.2.3a_p2~abc-r1"},
		{9, "1:1.0-1.el8^git", "1.0~rc1-1"},
		{10, "1.0-4", "1.0.4"},
		{11, "1.0.0+build.1", "1.0.0-dev"},
		{12, "0.1.26.0", "0"},
		{13, "1.0.0+meta", "1.0.0"},
	}
	for _, s := range seeds {
		f.Add(s.eco, s.a, s.b)
	}
	f.Fuzz(func(t *testing.T, eco uint8, a, b string) {
		name := fuzzEcosystems[int(eco)%len(fuzzEcosystems)]
		va, errA := Parse(name, a)
		vb, errB := Parse(name, b)
		for _, err := range []error{errA, errB} {
			if err != nil && !errors.Is(err, ErrInvalidVersion) {
				t.Fatalf("%s: error %v is not ErrInvalidVersion", name, err)
			}
		}
		if errA != nil || errB != nil {
			return
		}
		x, y := va.Compare(vb), vb.Compare(va)
		if x < -1 || x > 1 || x != -y {
			t.Fatalf("%s: Compare(%q, %q) = %d but the mirror is %d", name, a, b, x, y)
		}
		if c := va.Compare(va); c != 0 {
			t.Fatalf("%s: Compare(%q, itself) = %d", name, a, c)
		}
	})
}

// BenchmarkCompare measures what matching does: one component version,
// parsed once, compared with many parsed range bounds.
func BenchmarkCompare(b *testing.B) {
	cases := []struct {
		eco, v string
		bounds []string
	}{
		{"Go", "v1.21.3", []string{"0", "1.19.0", "1.20.10", "1.21.0-rc.1", "1.21.4", "0.0.0-20220906165146-f3363e06e74c"}},
		{"npm", "4.17.20", []string{"0", "4.17.21", "3.0.0", "4.17.20", "5.0.0-beta.1", "4.0.0"}},
		{"PyPI", "2.31.0", []string{"0", "2.3.0", "2.31.0rc1", "2.32.0", "2.31.0.post1", "1!0.1"}},
		{"Maven", "2.14.1", []string{"0", "2.13.4.2", "2.14.0-rc1", "2.15.0", "2.14.1.Final", "3.0-SNAPSHOT"}},
		{"Debian", "1:2.4.47-2+b1", []string{"0", "2.4.47-2", "1:2.4.48-1", "1:2.4.47-2~deb10u1", "1:2.4.47-2+b2", "1:2.5"}},
		{"Red Hat", "1:1.1.1k-7.el8_6", []string{"0", "1:1.1.1k-6.el8", "1:1.1.1k-7.el8_6", "1:3.0.1-1.el9", "1.0.2", "1:1.1.1c-2.el8"}},
		{"Alpine", "3.0.8-r0", []string{"0", "3.0.7-r0", "3.0.8-r1", "3.1.0_rc1-r0", "1.1.1t-r0", "3.0.8_p1-r0"}},
	}
	for _, c := range cases {
		v, err := Parse(c.eco, c.v)
		if err != nil {
			b.Fatal(err)
		}
		bounds := make([]Version, len(c.bounds))
		for i, s := range c.bounds {
			if bounds[i], err = Parse(c.eco, s); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("%s/parsed", c.eco), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				v.Compare(bounds[i%len(bounds)])
			}
		})
		b.Run(fmt.Sprintf("%s/strings", c.eco), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := Compare(c.eco, c.v, c.bounds[i%len(c.bounds)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
