package bwsim_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// TestServeGracefulShutdown checks Serve lets an in-flight request finish after its context ends,
// then returns nil.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	cfg := bwsim.DefaultConfig()
	cfg.Latency = 500 * time.Millisecond
	sim := bwsim.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- sim.Serve(ctx, ln) }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+ln.Addr().String()+ordersPath, nil)
		req.SetBasicAuth("demo", "demo")
		resp, err := client.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	for sim.Stats().Lists == 0 { // wait until the request is waiting out its latency
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := <-answered; code != http.StatusOK {
		t.Errorf("in-flight request: %d, want 200", code)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
}

// TestListenAndServeBadAddress checks the listen error is returned.
func TestListenAndServeBadAddress(t *testing.T) {
	t.Parallel()
	if err := bwsim.New(bwsim.DefaultConfig()).ListenAndServe(t.Context(), "256.0.0.1:bad"); err == nil {
		t.Error("no error")
	}
}

// TestServerCloseCancelsRequests checks Close does not wait out a long latency.
func TestServerCloseCancelsRequests(t *testing.T) {
	t.Parallel()
	srv := bwsim.NewServer(func() bwsim.Config { c := bwsim.DefaultConfig(); c.Latency = time.Hour; return c }())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/accounts/9900000/numbersAssignment", nil)
		req.SetBasicAuth("demo", "demo")
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	srv.Close()
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-errc; err == nil {
		t.Error("request answered after Close")
	}
	srv.Close() // idempotent
}
