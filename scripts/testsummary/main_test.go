package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	in := `{"Action":"run","Package":"p/a","Test":"TestOne"}
{"Action":"output","Package":"p/a","Test":"TestOne","Output":"=== RUN   TestOne\n"}
{"Action":"pass","Package":"p/a","Test":"TestOne"}
{"Action":"output","Package":"p/a","Test":"TestData","Output":"    data_test.go:21: ../shared/data not found: conformance data lives beside the repo\n"}
{"Action":"output","Package":"p/a","Test":"TestData","Output":"--- SKIP: TestData (0.00s)\n"}
{"Action":"skip","Package":"p/a","Test":"TestData"}
{"Action":"output","Package":"p/a","Test":"TestBad","Output":"    bad_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"p/a","Test":"TestBad"}
{"Action":"output","Package":"p/a","Output":"FAIL\tp/a\t0.01s\n"}
{"Action":"fail","Package":"p/a"}
`
	var out bytes.Buffer
	code := run(strings.NewReader(in), &out)
	got := out.String()
	for _, want := range []string{
		"got 1, want 2",
		"FAIL\tp/a",
		"skipped (1):\n  p/a TestData: ../shared/data not found: conformance data lives beside the repo\n",
		"1 passed, 1 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if code != 1 {
		t.Errorf("exit %d with a failure", code)
	}
	if strings.Contains(got, "=== RUN") {
		t.Errorf("passing tests' output printed:\n%s", got)
	}
}
