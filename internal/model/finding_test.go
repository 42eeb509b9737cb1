package model

import "testing"

func TestGateFails(t *testing.T) {
	ratings := []Rating{"", RatingUnknown, RatingNone, RatingLow, RatingMedium, RatingHigh, RatingCritical}
	tests := []struct {
		gate Gate
		want string // one letter per rating above: F fails, . passes
	}{
		{Gate{}, "......."},
		{Gate{Threshold: RatingNone}, "......."},
		{Gate{Threshold: RatingLow}, "...FFFF"},
		{Gate{Threshold: RatingHigh}, ".....FF"},
		{Gate{Threshold: RatingCritical}, "......F"},
		{Gate{Threshold: RatingCritical, Unknown: true}, "FF....F"},
		{Gate{Threshold: RatingNone, Unknown: true}, "FF....."},
	}
	for _, tt := range tests {
		got := ""
		for _, r := range ratings {
			if tt.gate.Fails(r) {
				got += "F"
			} else {
				got += "."
			}
		}
		if got != tt.want {
			t.Errorf("%+v: %s, want %s (ratings %q)", tt.gate, got, tt.want, ratings)
		}
		if on := tt.gate.On(); on != (tt.want != ".......") {
			t.Errorf("%+v: On() = %v", tt.gate, on)
		}
	}
}
