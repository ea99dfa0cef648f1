package jobs

import (
	"fmt"
	"testing"

	"github.com/tnassign/tnassign/bandwidth"
)

func TestSettlementOf(t *testing.T) {
	t.Parallel()
	b := &batch{seq: 1, customerOrderID: "c-1", numbers: []string{"9195550001", "9195550002", "9195550003", "9195550004"}}
	tests := []struct {
		name      string
		resp      bandwidth.OrderResponse
		succeeded []string
		failed    map[int][]string
	}{
		{"complete", bandwidth.OrderResponse{Status: bandwidth.StatusComplete}, b.numbers, nil},
		{"partial", bandwidth.OrderResponse{Status: bandwidth.StatusPartial, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550002", "+1 919 555 0004"}},
		}}, []string{"9195550001", "9195550003"}, map[int][]string{5076: {"9195550002", "9195550004"}}},
		{"foreign and repeated numbers ignored", bandwidth.OrderResponse{Status: bandwidth.StatusPartial, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550002", "9195550002", "2025550100", "junk"}},
			{Code: 5131, TelephoneNumbers: []string{"9195550002", "9195550003"}},
			{Code: 7, TelephoneNumbers: []string{"2025550100"}},
		}}, []string{"9195550001", "9195550004"}, map[int][]string{5076: {"9195550002"}, 5131: {"9195550003"}}},
		{"failed without errors", bandwidth.OrderResponse{Status: bandwidth.StatusFailed}, nil, map[int][]string{0: b.numbers}},
		{"failed with some errors", bandwidth.OrderResponse{Status: bandwidth.StatusFailed, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550001"}},
		}}, nil, map[int][]string{5076: {"9195550001"}, 0: {"9195550002", "9195550003", "9195550004"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := settlementOf(b, &tc.resp)
			if fmt.Sprint(s.Succeeded) != fmt.Sprint(tc.succeeded) {
				t.Errorf("succeeded %v, want %v", s.Succeeded, tc.succeeded)
			}
			got := map[int][]string{}
			total := len(s.Succeeded)
			for _, e := range s.Errors {
				got[e.Code] = e.Numbers
				total += len(e.Numbers)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.failed) && !(len(got) == 0 && tc.failed == nil) {
				t.Errorf("errors %v, want %v", got, tc.failed)
			}
			if total != len(b.numbers) {
				t.Errorf("%d numbers accounted for, want %d", total, len(b.numbers))
			}
		})
	}
}
