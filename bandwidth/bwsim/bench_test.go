package bwsim_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// BenchmarkCreateOrder measures the simulator's handler accepting 5,000-number orders (parse,
// inventory checks, storage, response) with no network in between.
func BenchmarkCreateOrder(b *testing.B) {
	cfg := bwsim.DefaultConfig()
	cfg.ProcessingPolls = 0
	sim := bwsim.New(cfg)
	body := orderXML("bench", "ASSIGN", numbers(0, bwsim.MaxNumbersPerOrder)...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, ordersPath, strings.NewReader(body))
		req.SetBasicAuth("demo", "demo")
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)*bwsim.MaxNumbersPerOrder/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkGetOrder measures answering a poll of a final 5,000-number order.
func BenchmarkGetOrder(b *testing.B) {
	cfg := bwsim.DefaultConfig()
	cfg.ProcessingPolls = 0
	sim := bwsim.New(cfg)
	tns := numbers(0, bwsim.MaxNumbersPerOrder)
	tns[10], tns[20] = "2125550000", "2125550001" // some errors to report
	req := httptest.NewRequest(http.MethodPost, ordersPath, strings.NewReader(orderXML("bench", "ASSIGN", tns...)))
	req.SetBasicAuth("demo", "demo")
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	path := rec.Header().Get("Location")
	path = path[strings.Index(path, "/api/"):]
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.SetBasicAuth("demo", "demo")
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)*bwsim.MaxNumbersPerOrder/b.Elapsed().Seconds(), "numbers/s")
}
